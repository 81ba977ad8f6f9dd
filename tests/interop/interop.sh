#!/bin/sh
# Interop with peers nobody here wrote, on loopback, in real time:
#   ffmpeg -> mediacall and mediacall -> ffmpeg, PCMU and PCMA: the received
#     audio matches the source (correlation >= 0.99 after alignment), every
#     packet counted;
#   GStreamer (rtppcmupay / rtppcmudepay) both ways, and RFC 4733 digits from
#     rtpdtmfsrc decoded with their durations; dtmfsrc's digits in the audio
#     heard by mediacall --inband-dtmf, each as long as its tone;
#   Opus (media_opus.h) with ffmpeg's libopus and GStreamer's opusenc/opusdec,
#     both ways: every packet, each tone of the source within 1 dB;
#   tshark's RTP stream analysis of a capture agrees with mediacall's receiver
#     statistics (packets and lost exactly, mean jitter within 10 %);
#   many parties: three GStreamer phones in a conference (tools/conference),
#     each hearing the other two tones at their level and its own 40 dB down
#     or more; a PCMU phone and an Opus phone bridged (tools/bridge); a relay
#     between ffmpeg peers across a source switch, each direction, tshark
#     confirming one continuous sequence and timeline on the far leg;
#   in-band DTMF talk-off: no digit in minutes of espeak-ng speech in
#     several voices and levels; mediacall's digits sent as tones to a peer
#     without telephone-event, read by spandsp's detector;
#   through our seeded impairment relay (5 % loss with Gilbert bursts, +-30 ms
#     jitter, 2 % reordering, 1 % duplication): the call completes, the audio
#     is whole except the concealed frames, and our lost/duplicate counts equal
#     the relay's ground truth and tshark's view of the same packets.
# Every process is started in the background, remembered by PID and ended by
# it; every wait is bounded. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
STRICT=${MEDIA_STRICT:-0}
B=build/interop
rm -rf "$B"; mkdir -p "$B"
passed=0 failed=0 skipped=0
PIDS=""
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() {
    if [ "$STRICT" = 1 ]; then failed=$((failed + 1)); echo "FAIL $1 (skipped: $2; not allowed with STRICT=1)"
    else skipped=$((skipped + 1)); echo "skip $1 ($2)"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT INT TERM
started() { PIDS="$PIDS $1"; }
# stop PID [SIGNAL]: ends a process we started and reaps it (bounded: 5 s, then KILL)
stop() {
    kill -"${2:-TERM}" "$1" 2>/dev/null
    i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null
}
# waitpid_for PID SECONDS: waits for a process to end by itself, then stops it
wait_for() {
    i=0; n=$(($2 * 20))
    while kill -0 "$1" 2>/dev/null && [ $i -lt $n ]; do sleep 0.05; i=$((i + 1)); done
    stop "$1"
}
# together CMD...: runs each command at once, each in a subshell of its own
# (its own files and ports), then counts what each said, in order
together() {
    n=0 pids="" T=$B/together.$$.$(date +%s%N)
    for c in "$@"; do n=$((n + 1)); ( eval "$c" ) > "$T.$n" 2>&1 & pids="$pids $!"; done
    for p in $pids; do wait "$p"; done
    k=1
    while [ $k -le $n ]; do
        while IFS= read -r line; do
            case $line in
                "ok   "*) pass "${line#ok   }" ;;
                "FAIL "*) fail "${line#FAIL }" ;;
                "skip "*) skipped=$((skipped + 1)); echo "$line" ;;
                *) echo "$line" ;;
            esac
        done < "$T.$k"
        k=$((k + 1))
    done
}
wait_file() { i=0; while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; [ -s "$1" ]; }
wait_udp() { i=0; while ! ss -lun 2>/dev/null | grep -q ":$1 " && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; }
sdp_port() { sed -n 's/^m=audio \([0-9]*\) .*/\1/p' "$1" | head -n 1; }
# end_field FILE KEY: a number from mediacall's closing JSON line
end_field() { grep '"event":"end"' "$1" | tail -n 1 | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" | tr -d '"'; }
json_field() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1" | head -n 1; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a + 0 >= b + 0)}'; }
within() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN{d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= r * b)}'; }

CC=${CC:-gcc}
WARN="-Wall -Wextra -Wpedantic -Wshadow -Werror"
# mediacall with Opus and SRTP when libopus and libsrtp2 are there (the checks below need them)
OPUS_CFLAGS=$(pkg-config --cflags opus 2>/dev/null) OPUS_LIBS=$(pkg-config --libs opus 2>/dev/null)
[ -z "$OPUS_LIBS" ] && OPUS_CFLAGS="-DMEDIA_OPUS_NO_LIBOPUS"
SRTP_CFLAGS=$(pkg-config --cflags libsrtp2 2>/dev/null) SRTP_LIBS=$(pkg-config --libs libsrtp2 2>/dev/null)
[ -z "$SRTP_LIBS" ] && SRTP_CFLAGS="-DMEDIA_SRTP_NO_LIBSRTP"
for t in tools/mediacall.c tools/conference.c tools/bridge.c tests/interop/wavtool.c tests/interop/relay.c tests/interop/dtmf_scan.c; do
    n=$(basename "$t" .c)
    if ! $CC -std=c99 -O2 -Wall -Wextra -Werror $OPUS_CFLAGS $SRTP_CFLAGS -I. "$t" -o "$B/$n" $OPUS_LIBS $SRTP_LIBS -lm 2>"$B/$n.log"; then
        fail "build $t"; sed 's/^/    /' "$B/$n.log" | head -20
        echo "$passed passed, $failed failed"; exit 1
    fi
done
MC=$B/mediacall WT=$B/wavtool
SRC=$B/src.wav
$WT gen "$SRC" 8000 4 7 || { fail "signal"; echo "$passed passed, $failed failed"; exit 1; }

# peer_sdp FILE PORT PT DIRECTION: an SDP describing a peer at 127.0.0.1:PORT
peer_sdp() {
    name=PCMU; [ "$3" = 8 ] && name=PCMA
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP %s\r\na=rtpmap:%s %s/8000\r\n%b' \
        "$2" "$3" "$3" "$name" "${4:+a=$4\r\n}" > "$1"
}

# check_audio LABEL REF GOT: correlation >= 0.99 after alignment, the whole signal there
check_audio() {
    r=$($WT corr "$2" "$3" 2>&1)
    c=$(echo "$r" | sed -n 's/.*corr=\([0-9.-]*\).*/\1/p')
    ok=$(echo "$r" | sed -n 's/.*frames_ok=\([0-9.]*\).*/\1/p')
    if [ -n "$c" ] && ge "$c" 0.99 && ge "$ok" 0.97; then pass "$1: $r"; else fail "$1: $r"; fi
}

# ---------------------------------------------------------------- ffmpeg
ff_to_mc() {   # codec pt encoder
    d=$B/ff2mc_$1; mkdir -p "$d"
    fp=$($WT port)
    peer_sdp "$d/peer.sdp" "$fp" "$2" sendonly
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        --jitter-fixed 200 > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "ffmpeg -> mediacall $1: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    cap=""
    if [ "$1" = pcmu ] && have dumpcap; then
        dumpcap -q -P -i lo -f "udp dst port $p" -a duration:15 -w "$d/cap.pcap" > /dev/null 2>&1 & cap=$!; started $cap
        sleep 0.5
    fi
    ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$SRC,asetnsamples=n=160:p=0" -c:a "$3" -f rtp \
        -payload_type "$2" "rtp://127.0.0.1:$p?localrtpport=$fp&localrtcpport=$((fp + 1))" > "$d/ff.log" 2>&1 & ff=$!
    started $ff
    wait_for $ff 20
    wait_for $mc 10
    [ -n "$cap" ] && stop $cap INT
    got=$(end_field "$d/out.json" packets_received); lost=$(end_field "$d/out.json" lost)
    codec=$(end_field "$d/out.json" codec)
    if [ "$got" = 200 ] && [ "$lost" = 0 ] && [ "$codec" = "$(echo "$1" | tr a-z A-Z)" ]; then
        pass "ffmpeg -> mediacall $1: 200 packets, 0 lost"
    else
        fail "ffmpeg -> mediacall $1: packets ${got:-?}, lost ${lost:-?}, codec ${codec:-?}"; cat "$d/err" "$d/ff.log" | head -5
    fi
    check_audio "ffmpeg -> mediacall $1 audio" "$SRC" "$d/got.wav"
    if [ -n "$cap" ]; then tshark_agrees "ffmpeg -> mediacall (clean loopback)" "$d" "$p" 0.1; fi
}

# Playout on a clean path: a real peer -> mediacall with every setting at
# its default, a non-periodic sweep of 250 packets: each frame must come out
# bit for bit, in order, none dropped, merged, stretched or inserted between.
# exact_to_mc LABEL NAME SENDER: SENDER WAV PORT LOCALPORT LOG sends WAV as
# 20 ms PCMU packets in real time from LOCALPORT to PORT (it execs the peer,
# so its PID is the peer's)
exact_to_mc() {
    d=$B/$2_exact; mkdir -p "$d"
    fp=$($WT port)
    $WT sweep "$d/sweep.wav" 5 || { fail "sweep"; return; }
    peer_sdp "$d/peer.sdp" "$fp" 0 sendonly
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "$1 -> mediacall exact: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    $3 "$d/sweep.wav" "$p" "$fp" "$d/peer.log" & peer=$!
    started $peer
    wait_for $peer 20
    wait_for $mc 10
    r=$($WT exact "$d/sweep.wav" "$d/got.wav" 2>&1); rc=$?
    adj="stretched $(end_field "$d/out.json" stretched_ms) ms, compressed $(end_field "$d/out.json" compressed_ms) ms,"
    adj="$adj frames dropped $(end_field "$d/out.json" frames_dropped), inserted $(end_field "$d/out.json" frames_inserted)"
    if [ "$rc" = 0 ]; then pass "$1 -> mediacall, defaults, every frame bit-exact: $r; $adj"
    else fail "$1 -> mediacall, defaults, every frame bit-exact: $r; $adj"; head -5 "$d/err" "$d/peer.log"; fi
    # --idle ends the call as a call ends, not as an error
    if grep -q '"event":"idle","after_ms":1500' "$d/out.json" && ! grep -q '"event":"error"' "$d/out.json"; then
        pass "$1 -> mediacall: --idle 1.5 ends the call with an idle event, no error"
    else fail "$1 -> mediacall: --idle: $(grep -v '"stats"' "$d/out.json" | tail -3)"; fi
}

# mediacall on a file it cannot use: a JSON error line saying which and why, exit 1
mc_file_errors() {
    d=$B/mc_files; mkdir -p "$d"
    peer_sdp "$d/peer.sdp" "$($WT port)" 0 ""
    echo "not audio" > "$d/text.wav"
    for c in "--play $d/missing.wav:No such file or directory" "--play $d/text.wav:not a WAV file" \
             "--record $d/no/such/dir/rec.wav:No such file or directory"; do
        opt=${c%%:*} why=${c#*:}
        $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" $opt --duration 1 > "$d/out.json" 2> "$d/err"; rc=$?
        file=${opt#* }
        if [ "$rc" = 1 ] && grep -q "\"event\":\"error\".*\"file\":\"$file\",\"reason\":\"$why\"" "$d/out.json"; then
            pass "mediacall $opt: exit 1, JSON error: $why"
        else fail "mediacall $opt: exit $rc, $(tail -1 "$d/out.json")"; fi
    done
}
send_ffmpeg() {
    exec ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$1,asetnsamples=n=160:p=0" -c:a pcm_mulaw -f rtp \
        -payload_type 0 "rtp://127.0.0.1:$2?localrtpport=$3&localrtcpport=$(($3 + 1))" > "$4" 2>&1
}
send_gst() {   # the sweep is 8 kHz mono 16-bit: straight into the encoder, nothing resampled
    exec gst-launch-1.0 -q filesrc location="$1" ! wavparse ! mulawenc ! rtppcmupay pt=0 min-ptime=20000000 \
        max-ptime=20000000 ! udpsink host=127.0.0.1 port="$2" bind-port="$3" > "$4" 2>&1
}

mc_to_ff() {   # codec pt
    d=$B/mc2ff_$1; mkdir -p "$d"
    fp=$($WT port)
    peer_sdp "$d/ff.sdp" "$fp" "$2" ""
    peer_sdp "$d/peer.sdp" "$fp" "$2" recvonly
    ffmpeg -nostdin -loglevel error -protocol_whitelist file,udp,rtp -i "$d/ff.sdp" -c:a pcm_s16le -ar 8000 -ac 1 \
        -y "$d/got.wav" > "$d/ff.log" 2>&1 & ff=$!; started $ff
    wait_udp "$fp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --codec "$1" --play "$SRC" --hangup --duration 20 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    wait_for $mc 20
    sleep 0.5
    stop $ff INT                          # ffmpeg finalises the WAV on SIGINT
    sent=$(end_field "$d/out.json" packets_sent)
    if [ "$sent" = 200 ] || [ "$sent" = 201 ]; then pass "mediacall -> ffmpeg $1: $sent packets sent"
    else fail "mediacall -> ffmpeg $1: packets sent ${sent:-?}"; cat "$d/err" "$d/ff.log" | head -5; fi
    check_audio "mediacall -> ffmpeg $1 audio" "$SRC" "$d/got.wav"
}

# tshark_agrees LABEL DIR PORT JITTER_SLACK_MS: tshark's view of the capture vs ours
tshark_agrees() {
    tshark -n -r "$2/cap.pcap" -q -d "udp.port==$3,rtp" -z rtp,streams > "$2/streams.txt" 2>&1
    # columns: start end src port dst port ssrc payload pkts lost (pct) delta min/mean/max jitter min/mean/max
    line=$(awk -v p="$3" '$6 == p && $5 == "127.0.0.1" {print; exit}' "$2/streams.txt")
    t_pkts=$(echo "$line" | awk '{print $9}'); t_lost=$(echo "$line" | awk '{print $10}')
    t_mean=$(echo "$line" | awk '{print $16}')
    o_pkts=$(end_field "$2/out.json" packets_received); o_lost=$(end_field "$2/out.json" lost)
    o_mean=$(end_field "$2/out.json" jitter_mean_ms)
    # tshark takes the expected count up to the last packet to arrive, RFC 3550
    # A.3 up to the highest sequence number: they differ when the last one to
    # arrive was overtaken, by exactly the numbers between the two
    seqs=$(tshark -n -r "$2/cap.pcap" -d "udp.port==$3,rtp" -T fields -e rtp.seq 2>/dev/null |
           awk 'NF {s = $1 + 0; if (n == 0) { base = s; hi = 0 } d = (s - base + 65536) % 65536; if (d > hi && d < 32768) hi = d; last = d; n++}
                END {print hi - last}')
    adj=$((o_lost - ${seqs:-0}))
    [ "${seqs:-0}" != 0 ] && echo "    (the last packet to arrive was ${seqs} behind the highest: tshark counts ${seqs} fewer lost)"
    if [ -n "$line" ] && [ "$t_pkts" = "$o_pkts" ] && [ "$t_lost" = "$adj" ] &&
       { within "$o_mean" "$t_mean" 0.10 || awk -v a="$o_mean" -v b="$t_mean" -v s="$4" 'BEGIN{d=a-b; if(d<0)d=-d; exit !(d <= s)}'; }; then
        pass "tshark agrees, $1: $t_pkts packets, $t_lost lost, mean jitter tshark $t_mean ms, ours $o_mean ms"
    else
        fail "tshark, $1: tshark [${line:-no stream}] ours $o_pkts packets, $o_lost lost, mean jitter $o_mean"
    fi
}

# README's mediacall commands as written (they work in build/try)
readme_mediacall() {
    awk -v tag="<!-- tested: readme_mediacall " 'index($0, tag) == 1 {t = 1; next} t && /^```sh$/ {f = 1; next} f && /^```$/ {exit} f' \
        README.md > "$B/readme_mediacall.sh"
    rm -rf build/try
    timeout 60 sh -e "$B/readme_mediacall.sh" > "$B/readme_mediacall.log" 2>&1; rc=$?
    heard=$(wc -c < build/try/heard.wav 2>/dev/null || echo 0); got=$(wc -c < build/try/got.wav 2>/dev/null || echo 0)
    n=$(end_field build/try/call1.json packets_received)
    # heard.wav: the 5 s tone, not the 2 s of --idle after it (about 32000 bytes more)
    if [ "$rc" = 0 ] && [ "${n:-0}" -ge 245 ] && [ "$heard" -ge 76000 ] && [ "$heard" -le 90000 ] && [ "$got" -ge 44000 ]; then
        pass "README mediacall commands: ${n} packets heard, heard.wav $heard bytes (the call, not the idle wait), ffmpeg's got.wav $got bytes"
    else
        fail "README mediacall commands: exit $rc, ${n:-?} packets, heard.wav $heard, got.wav $got bytes"; tail -5 "$B/readme_mediacall.log"
    fi
}

mc_file_errors
if have ffmpeg; then
    readme_mediacall
    together "ff_to_mc pcmu 0 pcm_mulaw" "ff_to_mc pcma 8 pcm_alaw" "mc_to_ff pcmu 0" "mc_to_ff pcma 8"
    exact_to_mc ffmpeg ff2mc send_ffmpeg
else
    skip "ffmpeg interop" "ffmpeg not installed (make deps)"
fi

# ---------------------------------------------------------------- SRTP with ffmpeg
# ffmpeg's SRTP is its own code (libavformat/srtp.c), not libsrtp2: an
# independent implementation on both ends.
# crypto_line SUITE: a=crypto:1 SUITE inline:<fresh key and salt of the suite's size>
crypto_line() {
    case $1 in AEAD_AES_128_GCM) n=28;; AEAD_AES_256_GCM) n=44;; *) n=30;; esac
    printf 'a=crypto:1 %s inline:%s' "$1" "$(head -c $n /dev/urandom | base64 -w0)"
}
# savp_sdp FILE PORT CRYPTO_LINE [ATTRIBUTE]: a PCMU peer at 127.0.0.1:PORT on RTP/SAVP
savp_sdp() {
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/SAVP 0\r\n%s\r\n%b' \
        "$2" "$3" "${4:+a=$4\r\n}" > "$1.tmp" && mv "$1.tmp" "$1"
}
# mc_srtp_offer SUITE PEER: mediacall (in $d) offers RTP/SAVP under SUITE and
# plays $SRC, waiting for $d/answer.sdp; false when no offer came
mc_srtp_offer() {
    $MC --offer --srtp-required --srtp-suite "$1" --remote "$d/answer.sdp" --sdp-out "$d/me.sdp" --play "$SRC" --hangup \
        --duration 20 --wait 10 > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    wait_file "$d/me.sdp" && return 0
    fail "mediacall SRTP $1 -> $2: no offer"; stop $mc; return 1
}
# ffmpeg sends the sweep as SRTP (its key in the SDP we answer): every frame
# bit-exact out of mediacall, no RTP refused; on the wire (tshark), no
# payload is the sweep's G.711. ffmpeg protects SRTCP under
# AES_CM_128_HMAC_SHA1_32 with the 32-bit tag, where RFC 4568 6.2.2 (and
# libsrtp2) take 80 bits: its reports are refused then, each counted.
ff_srtp_to_mc() {   # SUITE
    d=$B/ff2mc_srtp_$1; mkdir -p "$d"
    fp=$($WT port)
    $WT sweep "$d/sweep.wav" 5 || { fail "sweep"; return; }
    ffmpeg -nostdin -loglevel error -i "$d/sweep.wav" -f mulaw -y "$d/sweep.ul" > /dev/null 2>&1
    key=$(head -c 30 /dev/urandom | base64 -w0)
    # ffmpeg's own SDP for that key (-sdp_file, a tenth of a second sent nowhere): its a=crypto line
    # goes into the peer's description as ffmpeg wrote it (on RTP/AVP: best effort SRTP)
    ffmpeg -nostdin -loglevel error -f lavfi -i "sine=d=0.1:sample_rate=8000" -c:a pcm_mulaw -f rtp -payload_type 0 \
        -srtp_out_suite "$1" -srtp_out_params "$key" -sdp_file "$d/ffgen.sdp" \
        "srtp://127.0.0.1:9?localrtpport=$fp&localrtcpport=$((fp + 1))" > /dev/null 2>&1
    line=$(grep '^a=crypto:' "$d/ffgen.sdp" | tr -d '\r')
    peer_sdp "$d/peer.sdp" "$fp" 0 sendonly
    printf '%s\r\n' "$line" >> "$d/peer.sdp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if [ "${line##*inline:}" != "$key" ] || ! grep -q "RTP/AVP" "$d/ffgen.sdp"; then
        fail "ffmpeg SRTP $1: its SDP's crypto line: ${line:-none}"
    fi
    if ! wait_file "$d/me.sdp"; then fail "ffmpeg SRTP $1 -> mediacall: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    cap=""
    if have dumpcap; then
        dumpcap -q -P -i lo -f "udp dst port $p" -a duration:15 -w "$d/cap.pcap" > /dev/null 2>&1 & cap=$!; started $cap
        sleep 0.5
    fi
    ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$d/sweep.wav,asetnsamples=n=160:p=0" -c:a pcm_mulaw -f rtp \
        -payload_type 0 -srtp_out_suite "$1" -srtp_out_params "$key" \
        "srtp://127.0.0.1:$p?localrtpport=$fp&localrtcpport=$((fp + 1))" > "$d/ff.log" 2>&1 & ff=$!
    started $ff
    wait_for $ff 20
    wait_for $mc 10
    [ -n "$cap" ] && stop $cap INT
    got=$(end_field "$d/out.json" srtp_received); suite=$(end_field "$d/out.json" suite)
    auth=$(end_field "$d/out.json" auth_failures); refused=$(end_field "$d/out.json" unprotect_errors)
    rtcp=$(end_field "$d/out.json" srtcp_received); other=$(end_field "$d/out.json" other_failures)
    ok=0
    if grep -q "a=crypto:1 $1 inline:" "$d/me.sdp" && [ "$suite" = "$1" ] && [ "${got:-0}" -ge 249 ]; then
        # under _32 only ffmpeg's reports fail (a few: one every 5 s and its BYE), as whatever
        # libsrtp2 makes of a tag 6 bytes short
        if [ "$1" = AES_CM_128_HMAC_SHA1_32 ]; then [ "$rtcp" = 0 ] && [ "${refused:-0}" -ge 1 ] && [ "$refused" -le 3 ] && ok=1
        else [ "$refused" = 0 ] && [ "$auth" = 0 ] && ok=1; fi
    fi
    if [ $ok = 1 ]; then
        pass "ffmpeg SRTP $1 -> mediacall: answered with our key, $got packets opened, SRTCP $rtcp opened / $refused refused"
    else
        fail "ffmpeg SRTP $1 -> mediacall: suite ${suite:-?}, packets ${got:-?}, refused ${refused:-?} (auth ${auth:-?})"
        head -5 "$d/err" "$d/ff.log"
    fi
    r=$($WT exact "$d/sweep.wav" "$d/got.wav" 2>&1)
    if [ $? = 0 ]; then pass "ffmpeg SRTP $1 -> mediacall: every frame bit-exact: $r"; else fail "ffmpeg SRTP $1 -> mediacall exact: $r"; fi
    if [ -n "$cap" ]; then
        # each payload on the wire, hex; the sweep's G.711, hex: no 16 bytes of one are in the other
        tshark -n -r "$d/cap.pcap" -d "udp.port==$p,rtp" -T fields -e rtp.payload 2>/dev/null | tr -d ':' > "$d/wire.hex"
        od -An -v -tx1 "$d/sweep.ul" | tr -d ' \n' > "$d/sweep.hex"
        n=$(wc -l < "$d/wire.hex"); clear=0
        while read -r pl; do
            chunk=$(echo "$pl" | cut -c41-72)
            [ -n "$chunk" ] && grep -q "$chunk" "$d/sweep.hex" && clear=$((clear + 1))
        done < "$d/wire.hex"
        if [ "$n" -ge 249 ] && [ "$clear" = 0 ] && [ -s "$d/sweep.hex" ]; then
            pass "ffmpeg SRTP $1 on the wire (tshark): $n payloads, none carries the sweep's G.711"
        else fail "ffmpeg SRTP $1 on the wire: $n payloads, $clear in clear"; fi
    fi
}
# Through our relay, seeded: ffmpeg's SRTP with one packet altered on the
# way and some sent twice (replays): each altered one refused as an
# authentication failure, each second copy as a replay, the audio whole but
# for the one frame concealed; mediacall's counts equal the relay's
ff_srtp_relay() {
    d=$B/ff2mc_srtp_relay; mkdir -p "$d"
    fp=$($WT port); rp=$($WT port)
    $WT sweep "$d/sweep.wav" 5 || { fail "sweep"; return; }
    line=$(crypto_line AES_CM_128_HMAC_SHA1_80)
    key=${line##*inline:}
    peer_sdp "$d/peer.sdp" "$rp" 0 sendonly
    printf '%s\r\n' "$line" >> "$d/peer.sdp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "SRTP relay: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    $B/relay --listen "$rp" --to "127.0.0.1:$p" --dup 0.03 --corrupt 60 --seed 7 --duration 25 --idle 2 \
        --stats "$d/relay.json" & rl=$!; started $rl
    wait_udp "$rp"
    ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$d/sweep.wav,asetnsamples=n=160:p=0" -c:a pcm_mulaw -f rtp \
        -payload_type 0 -srtp_out_suite AES_CM_128_HMAC_SHA1_80 -srtp_out_params "$key" \
        "srtp://127.0.0.1:$rp?localrtpport=$fp&localrtcpport=$((fp + 1))" > "$d/ff.log" 2>&1 & ff=$!
    started $ff
    wait_for $ff 20
    wait_for $rl 10
    wait_for $mc 10
    auth=$(end_field "$d/out.json" auth_failures); replay=$(end_field "$d/out.json" replay_failures)
    got=$(end_field "$d/out.json" srtp_received); lost=$(end_field "$d/out.json" lost)
    corrupted=$(json_field "$d/relay.json" corrupted); dupl=$(json_field "$d/relay.json" duplicated)
    # (the altered packet may have been sent twice: then both copies fail authentication)
    if [ "${corrupted:-0}" = 1 ] && [ "${dupl:-0}" -ge 1 ] && { [ "$auth" = 1 ] || [ "$auth" = 2 ]; } &&
       [ $((auth + replay)) = $((1 + dupl)) ] && [ "$got" = 249 ] && [ "$lost" = 1 ]; then
        pass "SRTP through the relay: 1 altered -> $auth authentication failure(s), $dupl sent twice -> $replay replay failures, 249 opened, 1 lost"
    else
        fail "SRTP through the relay: altered ${corrupted:-?} -> auth ${auth:-?}, duplicated ${dupl:-?} -> replay ${replay:-?}, opened ${got:-?}, lost ${lost:-?}"
    fi
    check_audio "SRTP through the relay, audio" "$d/sweep.wav" "$d/got.wav"
}
# mediacall offers RTP/SAVP and sends the tone file as SRTP to ffmpeg, which
# holds mediacall's key from that offer: the audio arrives whole, and our
# SRTCP BYE ends ffmpeg's input (under _32 ffmpeg cannot read our SRTCP,
# above, so it would wait for ever: that one is tested the other way only)
mc_srtp_to_ff() {   # SUITE
    d=$B/mc2ff_srtp_$1; mkdir -p "$d"
    fp=$($WT port)
    mc_srtp_offer "$1" ffmpeg || return
    savp_sdp "$d/ff.sdp" "$fp" "$(grep "^a=crypto:1 $1 " "$d/me.sdp" | tr -d '\r')"
    ffmpeg -nostdin -loglevel error -protocol_whitelist file,udp,rtp,srtp -i "$d/ff.sdp" -c:a pcm_s16le -ar 8000 -ac 1 \
        -y "$d/got.wav" > "$d/ff.log" 2>&1 & ff=$!; started $ff
    wait_udp "$fp"
    savp_sdp "$d/answer.sdp" "$fp" "$(crypto_line "$1")" recvonly
    wait_for $mc 25
    sleep 0.5
    stop $ff INT
    sent=$(end_field "$d/out.json" srtp_sent); suite=$(end_field "$d/out.json" suite)
    if [ "$suite" = "$1" ] && { [ "$sent" = 200 ] || [ "$sent" = 201 ]; } && grep -q "RTP/SAVP" "$d/me.sdp"; then
        pass "mediacall SRTP $1 -> ffmpeg: RTP/SAVP offered, $sent packets protected"
    else fail "mediacall SRTP $1 -> ffmpeg: suite ${suite:-?}, protected ${sent:-?}"; head -5 "$d/err" "$d/ff.log"; fi
    check_audio "mediacall SRTP $1 -> ffmpeg audio" "$SRC" "$d/got.wav"
}
if have ffmpeg && [ -n "$SRTP_LIBS" ]; then
    together "ff_srtp_to_mc AES_CM_128_HMAC_SHA1_80" "ff_srtp_to_mc AES_CM_128_HMAC_SHA1_32" \
             "mc_srtp_to_ff AES_CM_128_HMAC_SHA1_80" "ff_srtp_relay"
elif [ -z "$SRTP_LIBS" ]; then
    skip "SRTP interop" "libsrtp2-dev not installed (make deps)"
else
    skip "ffmpeg SRTP interop" "ffmpeg not installed (make deps)"
fi

# ---------------------------------------------------------------- SRTP with GStreamer
# GStreamer's srtpenc (libsrtp2 too, configured by GStreamer) sends the sweep
# under each suite, its key in the SDP we answer: every frame bit-exact,
# nothing refused (its SRTCP under _32 keeps the 80-bit tag, as RFC 4568 says)
gst_srtp_to_mc() {   # SUITE CIPHER AUTH RTCP_AUTH KEY_BYTES
    d=$B/gst2mc_srtp_$1; mkdir -p "$d"
    fp=$($WT port)
    $WT sweep "$d/sweep.wav" 5 || { fail "sweep"; return; }
    head -c "$5" /dev/urandom > "$d/key.bin"
    hex=$(od -An -v -tx1 "$d/key.bin" | tr -d ' \n'); b64=$(base64 -w0 "$d/key.bin")
    peer_sdp "$d/peer.sdp" "$fp" 0 sendonly
    printf 'a=crypto:7 %s inline:%s\r\n' "$1" "$b64" >> "$d/peer.sdp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "GStreamer SRTP $1 -> mediacall: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    gst-launch-1.0 -q filesrc location="$d/sweep.wav" ! wavparse ! mulawenc ! rtppcmupay pt=0 min-ptime=20000000 \
        max-ptime=20000000 ! srtpenc name=e key="$hex" rtp-cipher="$2" rtp-auth="$3" rtcp-cipher="$2" rtcp-auth="$4" \
        e.rtp_src_0 ! udpsink host=127.0.0.1 port="$p" bind-port="$fp" > "$d/gst.log" 2>&1 & g=$!
    started $g
    wait_for $g 20
    wait_for $mc 10
    got=$(end_field "$d/out.json" srtp_received); suite=$(end_field "$d/out.json" suite)
    refused=$(end_field "$d/out.json" unprotect_errors)
    if grep -q "a=crypto:7 $1 inline:" "$d/me.sdp" && [ "$suite" = "$1" ] && [ "${got:-0}" -ge 249 ] && [ "$refused" = 0 ]; then
        pass "GStreamer SRTP $1 -> mediacall: tag 7 answered, $got packets opened, none refused"
    else
        fail "GStreamer SRTP $1 -> mediacall: suite ${suite:-?}, packets ${got:-?}, refused ${refused:-?}"; head -5 "$d/err" "$d/gst.log"
    fi
    r=$($WT exact "$d/sweep.wav" "$d/got.wav" 2>&1)
    if [ $? = 0 ]; then pass "GStreamer SRTP $1 -> mediacall: every frame bit-exact: $r"; else fail "GStreamer SRTP $1 -> mediacall exact: $r"; fi
}
# mediacall offers RTP/SAVP under each suite and sends the tone file;
# GStreamer's srtpdec, given mediacall's key from that offer when it asks
# (request-key, tests/interop/gst_srtp_rx.py), writes what it opens
mc_srtp_to_gst() {   # SUITE
    d=$B/mc2gst_srtp_$1; mkdir -p "$d"
    fp=$($WT port)
    mc_srtp_offer "$1" GStreamer || return
    key=$(sed -n "s/^a=crypto:1 $1 inline:\([A-Za-z0-9+\/=]*\).*/\1/p" "$d/me.sdp" | tr -d '\r')
    /usr/bin/python3 tests/interop/gst_srtp_rx.py "$fp" "$1" "$key" "$d/got.wav" 2 > "$d/gst.log" 2>&1 & g=$!; started $g
    wait_udp "$fp"
    savp_sdp "$d/answer.sdp" "$fp" "$(crypto_line "$1")" recvonly
    wait_for $mc 25
    wait_for $g 10
    sent=$(end_field "$d/out.json" srtp_sent); suite=$(end_field "$d/out.json" suite)
    if [ "$suite" = "$1" ] && { [ "$sent" = 200 ] || [ "$sent" = 201 ]; } && grep -q "asked for the keys of: [0-9a-f]" "$d/gst.log"; then
        pass "mediacall SRTP $1 -> GStreamer srtpdec: $sent packets protected, $(tail -1 "$d/gst.log")"
    else fail "mediacall SRTP $1 -> GStreamer: suite ${suite:-?}, protected ${sent:-?}"; head -5 "$d/err" "$d/gst.log"; fi
    check_audio "mediacall SRTP $1 -> GStreamer audio" "$SRC" "$d/got.wav"
}
if have gst-launch-1.0 && gst-inspect-1.0 srtpenc > /dev/null 2>&1 && [ -n "$SRTP_LIBS" ]; then
    together "gst_srtp_to_mc AES_CM_128_HMAC_SHA1_80 aes-128-icm hmac-sha1-80 hmac-sha1-80 30" \
             "gst_srtp_to_mc AES_CM_128_HMAC_SHA1_32 aes-128-icm hmac-sha1-32 hmac-sha1-80 30" \
             "gst_srtp_to_mc AEAD_AES_128_GCM aes-128-gcm null null 28" "gst_srtp_to_mc AEAD_AES_256_GCM aes-256-gcm null null 44"
    if /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0")' 2>/dev/null; then
        together "mc_srtp_to_gst AES_CM_128_HMAC_SHA1_32" "mc_srtp_to_gst AEAD_AES_256_GCM"
    else
        skip "mediacall SRTP -> GStreamer" "python3-gi not installed (make deps)"
    fi
else
    skip "GStreamer SRTP interop" "gstreamer1.0-plugins-bad (srtpenc) or libsrtp2-dev not installed (make deps)"
fi

# ---------------------------------------------------------------- SRTP with baresip
# baresip (its SRTP is libre's own code) calls a SIP peer of the test's own
# (tests/interop/sip_uas.py), which answers with mediacall's SDP: baresip
# offers RTP/SAVP with its key (mediaenc=srtp-mand), mediacall answers with
# its own; each side sends a sweep: what mediacall records is baresip's
# sweep frame for frame, what baresip decodes (its sndfile dump) is ours.
# (baresip also sends a 16-byte RTCP APP in clear, and its BYE as SRTCP
# marked unencrypted: both refused, counted as other failures.)
baresip_srtp() {
    d=$B/baresip_srtp; rm -rf "$d"; mkdir -p "$d"
    up=$($WT port); bp=$($WT port); rp=$($WT port)
    $WT sweep "$d/sweep.wav" 4 || { fail "sweep"; return; }
    cat > "$d/config" <<EOF2
poll_method poll
sip_listen 127.0.0.1:$bp
net_interface 127.0.0.1
audio_source aufile,$PWD/$d/sweep.wav
audio_player aubridge,nil
audio_alert aubridge,nil
snd_path $PWD/$d
rtp_ports $rp-$((rp + 20))
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module sndfile.so
module srtp.so
module menu.so
module account.so
EOF2
    printf '<sip:bob@127.0.0.1>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU\n' > "$d/accounts"
    /usr/bin/python3 tests/interop/sip_uas.py "$up" "$d" 20 "$MC" --record "$d/heard.wav" --play "$d/sweep.wav" \
        --idle 1.5 --duration 15 > "$d/uas.log" 2>&1 & u=$!; started $u
    wait_udp "$up"
    baresip -f "$d" -e "/dial sip:mc@127.0.0.1:$up" -t 8 > "$d/baresip.log" 2>&1 & bs=$!; started $bs
    wait_for $bs 15
    wait_for $u 10
    got=$(end_field "$d/mc.json" srtp_received); suite=$(end_field "$d/mc.json" suite); auth=$(end_field "$d/mc.json" auth_failures)
    if grep -q "INVITE answered 200" "$d/uas.log" && grep -q "m=audio [0-9]* RTP/SAVP" "$d/offer.sdp" &&
       grep -q "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" "$d/answer.sdp" && [ "$suite" = AES_CM_128_HMAC_SHA1_80 ] &&
       [ "${got:-0}" -ge 195 ] && [ "$auth" = 0 ]; then
        pass "baresip (srtp-mand) calls: RTP/SAVP answered with our key, $got packets opened, none failing authentication"
    else
        fail "baresip SRTP call: suite ${suite:-?}, opened ${got:-?}, auth ${auth:-?}"; cat "$d/uas.log"; grep -i "srtp\|error" "$d/baresip.log" | head -5
    fi
    r=$($WT exact "$d/sweep.wav" "$d/heard.wav" 2>&1 | tr '\n' ' ')
    ex=$(echo "$r" | sed -n 's/.* exact=\([0-9]*\).*/\1/p')
    # (baresip's source stops at the file's end: its last frame or two come out padded or cut)
    if [ "${ex:-0}" -ge 197 ]; then pass "baresip -> mediacall through SRTP: frame for frame but the last: $r"
    else fail "baresip -> mediacall: $r"; fi
    # baresip's dump begins when its call is up, after our first frames: what it holds must match
    dec=$(ls "$d"/dump-*-dec.wav 2>/dev/null | head -1)
    r=$($WT corr "$d/sweep.wav" "${dec:-$d/none.wav}" 2>&1)
    c=$(echo "$r" | sed -n 's/.*corr=\([0-9.-]*\).*/\1/p'); ok=$(echo "$r" | sed -n 's/.*frames_ok=\([0-9.]*\).*/\1/p')
    if [ -n "$c" ] && ge "$c" 0.99 && ge "$ok" 0.9; then pass "mediacall -> baresip through SRTP (baresip's decoded dump): $r"
    else fail "mediacall -> baresip through SRTP: $r"; fi
}
if have baresip && [ -d /usr/lib/baresip/modules ] && [ -n "$SRTP_LIBS" ]; then
    baresip_srtp
else
    skip "baresip SRTP interop" "baresip or libsrtp2-dev not installed (make deps)"
fi

# ---------------------------------------------------------------- GStreamer
gst_to_mc() {
    d=$B/gst2mc; mkdir -p "$d"
    fp=$($WT port)
    peer_sdp "$d/peer.sdp" "$fp" 0 sendonly
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 1.5 --duration 25 \
        --jitter-fixed 200 > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "GStreamer -> mediacall: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    gst-launch-1.0 -q filesrc location="$SRC" ! wavparse ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 \
        ! mulawenc ! rtppcmupay pt=0 min-ptime=20000000 max-ptime=20000000 \
        ! udpsink host=127.0.0.1 port="$p" bind-port="$fp" > "$d/gst.log" 2>&1 & g=$!; started $g
    wait_for $g 20
    wait_for $mc 10
    got=$(end_field "$d/out.json" packets_received); lost=$(end_field "$d/out.json" lost)
    if [ "$got" = 200 ] && [ "$lost" = 0 ]; then pass "GStreamer rtppcmupay -> mediacall: 200 packets, 0 lost"
    else fail "GStreamer rtppcmupay -> mediacall: packets ${got:-?}, lost ${lost:-?}"; head -5 "$d/err" "$d/gst.log"; fi
    check_audio "GStreamer -> mediacall audio" "$SRC" "$d/got.wav"
}

# gst_finish PID LOG: gst-launch has no idle exit: wait for udpsrc's timeout
# after our last packet (bounded), then EOS by SIGINT (-e finalises the WAV)
gst_finish() {
    seen=$(grep -c GstUDPSrcTimeout "$2")
    i=0; while [ "$(grep -c GstUDPSrcTimeout "$2")" -le "$seen" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
    stop "$1" INT
}

# mc_to_gst LABEL SDPFN PT CAPS DECODE SRC CHECKFN [mediacall options]: mediacall plays SRC
# to a gst-launch receiver (udpsrc with CAPS, rtpjitterbuffer, then the DECODE
# elements, into a WAV), which CHECKFN judges against SRC
mc_to_gst() {
    label=$1 sdpfn=$2 pt=$3 caps=$4 decode=$5 src=$6 check=$7; shift 7
    d=$B/mc2gst_$(echo "$label" | tr -c 'a-zA-Z0-9\n' _); mkdir -p "$d"
    fp=$($WT port)
    $sdpfn "$d/peer.sdp" "$fp" "$pt" recvonly
    # (CAPS and DECODE hold no spaces inside an element: split into words on purpose)
    gst-launch-1.0 -e -m udpsrc address=127.0.0.1 port="$fp" timeout=1000000000 caps="$caps" \
        ! rtpjitterbuffer latency=60 $decode ! wavenc ! filesink location="$d/got.wav" > "$d/gst.log" 2>&1 & g=$!; started $g
    wait_udp "$fp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" "$@" --play "$src" --hangup --duration 20 > "$d/out.json" 2> "$d/err" &
    mc=$!; started $mc
    wait_for $mc 20
    gst_finish $g "$d/gst.log"
    sent=$(end_field "$d/out.json" packets_sent)
    if [ "$sent" = 200 ] || [ "$sent" = 201 ]; then pass "$label: $sent packets sent"
    else fail "$label: packets sent ${sent:-?}"; head -5 "$d/err"; fi
    $check "$label" "$src" "$d/got.wav"
}

gst_dtmf() {
    d=$B/gstdtmf; mkdir -p "$d"
    fp=$($WT port)
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendonly\r\n' \
        "$fp" > "$d/peer.sdp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --idle 1.5 --duration 25 > "$d/out.json" 2> "$d/err" & mc=$!
    started $mc
    if ! wait_file "$d/me.sdp"; then fail "GStreamer DTMF: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    dumpcap -q -P -i lo -f "udp dst port $p" -a duration:20 -w "$d/cap.pcap" > /dev/null 2>&1 & cap=$!; started $cap
    sleep 0.5
    /usr/bin/python3 tests/interop/gst_dtmf.py "$p" "$fp" "159#*0" 400 > "$d/gst.log" 2>&1 & g=$!; started $g
    wait_for $g 30
    wait_for $mc 10
    stop $cap INT
    digits=$(end_field "$d/out.json" digits)
    ours=$(grep '"event":"dtmf"' "$d/out.json" | sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' | tr '\n' ' ')
    # the wire, by tshark: each event's end packets carry its duration (8 kHz units)
    wire=$(tshark -n -r "$d/cap.pcap" -d "udp.port==$p,rtp" -d "rtp.pt==101,rtpevent" -Y "rtpevent.end_of_event == 1" \
           -T fields -e rtpevent.event_id -e rtpevent.duration 2>/dev/null | awk '!seen[$1 " " $2]++ {printf "%d ", $2 / 8}')
    if [ "$digits" = "159#*0" ] && [ -n "$wire" ] && [ "$ours" = "$wire" ]; then
        pass "GStreamer rtpdtmfsrc -> mediacall: digits $digits, durations $ours ms (tshark on the wire: $wire)"
    else
        fail "GStreamer rtpdtmfsrc -> mediacall: digits '${digits}', durations '$ours', tshark '$wire'"; head -5 "$d/err" "$d/gst.log"
        # the wire's order: each event packet with the newest audio timestamp before it
        echo "    arrival(s) event duration end | audio ts past the event's start (8 kHz units)"
        tshark -n -r "$d/cap.pcap" -d "udp.port==$p,rtp" -d "rtp.pt==101,rtpevent" \
               -T fields -e frame.time_relative -e rtp.p_type -e rtp.timestamp -e rtpevent.event_id \
               -e rtpevent.duration -e rtpevent.end_of_event 2>/dev/null |
            awk '$2 == 0 { a = $3 } $2 == 101 { printf "    %.3f %s %s %s | %d\n", $1, $4, $5, $6, a - $3 }' | head -80
    fi
}

# dtmfsrc's tones in the audio itself -> mediacall --inband-dtmf: the digits,
# each from the audio, each as long as the tone it heard (the recording's
# own power envelope, 2 ms steps, is the measure)
gst_dtmf_inband() {
    d=$B/gstdtmf_inband; mkdir -p "$d"
    fp=$($WT port)
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=sendonly\r\n' "$fp" > "$d/peer.sdp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --idle 1.5 --duration 25 --inband-dtmf --record "$d/got.wav" \
        > "$d/out.json" 2> "$d/err" & mc=$!
    started $mc
    if ! wait_file "$d/me.sdp"; then fail "GStreamer in-band DTMF: no SDP"; stop $mc; return; fi
    /usr/bin/python3 tests/interop/gst_dtmf.py "$(sdp_port "$d/me.sdp")" "$fp" "159#*0D" 200 inband > "$d/gst.log" 2>&1 & g=$!
    started $g
    wait_for $g 30
    wait_for $mc 10
    digits=$(end_field "$d/out.json" digits)
    srcs=$(grep '"event":"dtmf"' "$d/out.json" | grep -c '"source":"inband"')
    ours=$(grep '"event":"dtmf"' "$d/out.json" | sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p' | tr '\n' ' ')
    segs=$($WT segments "$d/got.wav" -32)
    # each duration within 6 ms of its tone's span in the recording
    ok=$(echo "$ours|${segs#*:}" | awk -F'|' '{n = split($1, a, " "); m = split($2, b, " "); if (n != m || n == 0) {print 0; exit}
                                             for (i = 1; i <= n; i++) { d = a[i] - b[i]; if (d < -6 || d > 6) {print 0; exit} } print 1}')
    if [ "$digits" = "159#*0D" ] && [ "$srcs" = 7 ] && [ "$ok" = 1 ]; then
        pass "GStreamer dtmfsrc (in the audio) -> mediacall --inband-dtmf: digits $digits, durations $ours ms (the recording's tones: ${segs#*:} ms)"
    else
        fail "GStreamer in-band DTMF: digits '${digits}' ($srcs in-band), durations '$ours', the recording's $segs"
        head -5 "$d/err" "$d/gst.log"
    fi
}

if have gst-launch-1.0 && gst-inspect-1.0 rtppcmupay >/dev/null 2>&1 && gst-inspect-1.0 rtpdtmfsrc >/dev/null 2>&1 &&
   /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0")' 2>/dev/null; then
    gst_to_mc
    exact_to_mc "GStreamer rtppcmupay" gst2mc send_gst
    mc_to_gst "mediacall -> GStreamer rtppcmudepay" peer_sdp 0 "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0" \
        "! rtppcmudepay ! mulawdec" "$SRC" check_audio
    if have dumpcap && have tshark; then together gst_dtmf gst_dtmf_inband
    else skip "GStreamer DTMF" "tshark missing (make deps)"; gst_dtmf_inband; fi
else
    skip "GStreamer interop" "gstreamer1.0-tools/plugins-good/bad or python3-gi missing (make deps)"
fi

# ---------------------------------------------------------------- Opus (RFC 7587)
# opus_sdp FILE PORT PT DIRECTION: a peer sending or receiving opus/48000/2
opus_sdp() {
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP %s\r\na=rtpmap:%s opus/48000/2\r\n%b' \
        "$2" "$3" "$3" "${4:+a=$4\r\n}" > "$1"
}
# check_tones LABEL REF GOT: each tone of REF in GOT within 1 dB
check_tones() {
    if r=$($WT tonelevel "$2" "$3" 440 1000 2>&1); then pass "$1: tones $r"; else fail "$1: tones $r"; fi
}
# opus_in LABEL PT SENDER...: a peer sends TONES as Opus to mediacall; SENDER gets the port appended
opus_in() {
    label=$1 pt=$2; shift 2
    d=$B/opus_in_$(echo "$label" | tr -c 'a-zA-Z0-9\n' _); mkdir -p "$d"
    fp=$($WT port)
    opus_sdp "$d/peer.sdp" "$fp" "$pt" sendonly
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --codec opus --record "$d/got.wav" --idle 1.5 --duration 25 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "$label -> mediacall opus: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    "$@" "$p" "$fp" > "$d/peer.log" 2>&1 & pp=$!; started $pp
    wait_for $pp 20
    wait_for $mc 10
    got=$(end_field "$d/out.json" packets_received); lost=$(end_field "$d/out.json" lost); codec=$(end_field "$d/out.json" codec)
    if [ "$codec" = opus ] && [ -n "$got" ] && [ "$got" -ge 199 ] && [ "$lost" = 0 ]; then
        pass "$label -> mediacall opus: $got packets, 0 lost"
    else
        fail "$label -> mediacall opus: codec ${codec:-?}, packets ${got:-?}, lost ${lost:-?}"; head -5 "$d/err" "$d/peer.log"
    fi
    check_tones "$label -> mediacall opus" "$TONES" "$d/got.wav"
}
ff_opus_send() {   # PORT LOCALPORT (ffmpeg sets the marker on every Opus packet)
    ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$TONES,asetnsamples=n=960:p=0" -c:a libopus -frame_duration 20 \
        -f rtp -payload_type 97 "rtp://127.0.0.1:$1?localrtpport=$2&localrtcpport=$(($2 + 1))"
}
gst_opus_send() {   # PORT LOCALPORT (rtpopuspay: the first timestamp step is 648)
    gst-launch-1.0 -q filesrc location="$TONES" ! wavparse ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 \
        ! opusenc ! rtpopuspay pt=96 ! udpsink host=127.0.0.1 port="$1" bind-port="$2" sync=true
}
opus_out_ff() {
    d=$B/opus_out_ffmpeg; mkdir -p "$d"
    fp=$($WT port)
    opus_sdp "$d/ff.sdp" "$fp" 97 ""
    opus_sdp "$d/peer.sdp" "$fp" 97 recvonly
    ffmpeg -nostdin -loglevel error -protocol_whitelist file,udp,rtp -i "$d/ff.sdp" -c:a pcm_s16le -ar 48000 -ac 1 \
        -y "$d/got.wav" > "$d/ff.log" 2>&1 & ff=$!; started $ff
    wait_udp "$fp"
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --codec opus --play "$TONES" --hangup --duration 20 \
        > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    wait_for $mc 20
    sleep 0.5
    stop $ff INT
    sent=$(end_field "$d/out.json" packets_sent)
    if [ "$sent" = 200 ] || [ "$sent" = 201 ]; then pass "mediacall opus -> ffmpeg (libopus): $sent packets sent"
    else fail "mediacall opus -> ffmpeg: packets sent ${sent:-?}"; head -5 "$d/err" "$d/ff.log"; fi
    check_tones "mediacall opus -> ffmpeg" "$TONES" "$d/got.wav"
}
if [ -n "$OPUS_LIBS" ]; then
    TONES=$B/tones48.wav
    $WT tones "$TONES" 48000 4 440 1000
    if have ffmpeg; then
        together "opus_in ffmpeg 97 ff_opus_send" "opus_out_ff"
    else
        skip "ffmpeg Opus interop" "ffmpeg not installed (make deps)"
    fi
    if have gst-launch-1.0; then
        opus_in GStreamer 96 gst_opus_send
        mc_to_gst "mediacall opus -> GStreamer (rtpopusdepay, opusdec)" opus_sdp 96 \
            "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=96" \
            "! rtpopusdepay ! opusdec ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1" "$TONES" check_tones --codec opus
    else
        skip "GStreamer Opus interop" "gstreamer1.0-tools not installed (make deps)"
    fi
else
    skip "Opus interop" "libopus-dev not installed (make deps)"
fi

# ---------------------------------------------------------------- impairment relay
impaired() {
    d=$B/impaired; mkdir -p "$d"
    $WT gen "$d/src.wav" 8000 10 9
    fp=$($WT port); rp=$($WT port)
    [ "$rp" = "$fp" ] && rp=$($WT port)
    peer_sdp "$d/peer.sdp" "$rp" 0 sendonly        # the peer, as mediacall sees it, is the relay
    $MC --remote "$d/peer.sdp" --sdp-out "$d/me.sdp" --record "$d/got.wav" --idle 2 --duration 30 \
        --jitter-fixed 300 > "$d/out.json" 2> "$d/err" & mc=$!; started $mc
    if ! wait_file "$d/me.sdp"; then fail "relay: no SDP"; stop $mc; return; fi
    p=$(sdp_port "$d/me.sdp")
    $B/relay --listen "$rp" --to "127.0.0.1:$p" --loss 0.02 --gilbert 0.01:0.3 --delay 40 --jitter 60 \
        --reorder 0.02 --dup 0.01 --seed 11 --duration 25 --idle 2 --stats "$d/relay.json" & rl=$!; started $rl
    dumpcap -q -P -i lo -f "udp dst port $p" -a duration:20 -w "$d/cap.pcap" > /dev/null 2>&1 & cap=$!; started $cap
    sleep 0.5
    ffmpeg -nostdin -loglevel error -re -f lavfi -i "amovie=$d/src.wav,asetnsamples=n=160:p=0" -c:a pcm_mulaw -f rtp \
        -payload_type 0 "rtp://127.0.0.1:$rp?localrtpport=$fp&localrtcpport=$((fp + 1))" > "$d/ff.log" 2>&1 & ff=$!
    started $ff
    wait_for $ff 25
    wait_for $rl 10
    wait_for $mc 10
    stop $cap INT
    drop=$(json_field "$d/relay.json" dropped); dupl=$(json_field "$d/relay.json" duplicated)
    fwd=$(json_field "$d/relay.json" forwarded); reord=$(json_field "$d/relay.json" reordered)
    got=$(end_field "$d/out.json" packets_received); lost=$(end_field "$d/out.json" lost)
    odup=$(end_field "$d/out.json" duplicates); conc=$(end_field "$d/out.json" concealed)
    state=$(end_field "$d/out.json" state)
    if [ "$state" = terminated ] && [ -n "$drop" ] && [ "$got" = "$fwd" ] && [ "$odup" = "$dupl" ] &&
       [ "$lost" = $((drop - dupl)) ] && [ "$drop" -gt 10 ]; then
        pass "relay: call complete; ours: $got received, $lost lost (RFC 3550, duplicates offset), $odup duplicates, $conc concealed; relay: $fwd forwarded, $drop dropped, $dupl duplicated, $reord reordered"
    else
        fail "relay: ours: state $state, $got received, $lost lost, $odup duplicates; relay: $fwd forwarded, $drop dropped, $dupl duplicated"
    fi
    r=$($WT corr "$d/src.wav" "$d/got.wav" 2>&1)
    ok=$(echo "$r" | sed -n 's/.*frames_ok=\([0-9.]*\).*/\1/p')
    len=$(echo "$r" | sed -n 's/.*got=\([0-9]*\).*/\1/p')
    # whole except what was lost: every frame that arrived plays in its place
    # (a lost frame, and the one after it where concealment hands back, may miss 20 dB)
    need=$(awk -v d="$drop" 'BEGIN{printf "%.4f", 1 - 2 * d / 500.0 - 0.01}')
    if [ -n "$ok" ] && ge "$ok" "$need" && ge "$len" 79000; then pass "relay audio: $r (needed frames_ok >= $need)"
    else fail "relay audio: $r (needed frames_ok >= $need, length >= 79000)"; fi
    tshark_agrees "through the relay" "$d" "$p" 0
}

if have ffmpeg && have dumpcap && have tshark; then impaired; else skip "impairment relay" "ffmpeg/tshark missing (make deps)"; fi

# ---------------------------------------------------------------- the examples
# Each built as C99 and C++ with -Werror, then run against mediacall (or each
# other) on loopback: what they promise is what they do.
examples_run() {
    d=$B/examples; mkdir -p "$d"
    for e in announce echo quality_monitor epoll_many libuv_many; do
        libs="-lm"; [ "$e" = libuv_many ] && libs="$(pkg-config --libs libuv) -lm"
        if ! $CC -std=c99 -O2 $WARN -I. "examples/$e.c" -o "$d/$e" $libs 2>"$d/$e.log" ||
           ! g++ -x c++ -O2 $WARN -I. "examples/$e.c" -o "$d/${e}_cpp" $libs 2>>"$d/$e.log"; then
            fail "example $e does not build"; sed 's/^/    /' "$d/$e.log" | head -10; continue
        fi
    done
    # announce: mediacall calls, records; the prompt arrives whole, then BYE
    rm -f "$d/o.sdp" "$d/a.sdp"
    $MC --offer --sdp-out "$d/o.sdp" --remote "$d/a.sdp" --record "$d/announced.wav" --jitter-fixed 200 --idle 1.5 \
        --duration 20 > "$d/announce.json" 2>&1 & mc=$!; started $mc
    wait_file "$d/o.sdp"
    "$d/announce" "$d/o.sdp" "$d/a.sdp" "$SRC" > "$d/announce.out" 2>&1 & ex=$!; started $ex
    wait_for $ex 15
    wait_for $mc 10
    if grep -q "prompt sent (success)" "$d/announce.out"; then check_audio "example announce: the prompt heard" "$SRC" "$d/announced.wav"
    else fail "example announce: $(head -n 2 "$d/announce.out")"; fi
    # echo: mediacall plays the signal and hears it come back (after two adaptive jitter buffers)
    rm -f "$d/o.sdp" "$d/a.sdp"
    $MC --offer --sdp-out "$d/o.sdp" --remote "$d/a.sdp" --play "$SRC" --record "$d/echoed.wav" --duration 6 \
        > "$d/echo.json" 2>&1 & mc=$!; started $mc
    wait_file "$d/o.sdp"
    "$d/echo" "$d/o.sdp" "$d/a.sdp" > "$d/echo.out" 2>&1 & ex=$!; started $ex
    wait_for $mc 15
    wait_for $ex 10
    r=$($WT corrseg "$SRC" "$d/echoed.wav"); m=$(echo "$r" | sed -n 's/.*median=\([0-9.]*\).*/\1/p')
    if [ -n "$m" ] && ge "$m" 0.99 && grep -q "^echoed" "$d/echo.out"; then pass "example echo: $(cat "$d/echo.out"); heard back: $r"
    else fail "example echo: $(head -n 2 "$d/echo.out"); heard back: $r"; fi
    # quality_monitor: a line a second while mediacall talks for 4 s
    rm -f "$d/o.sdp" "$d/a.sdp"
    $MC --offer --sdp-out "$d/o.sdp" --remote "$d/a.sdp" --play "$SRC" --hangup --duration 10 > "$d/qm.json" 2>&1 & mc=$!
    started $mc
    wait_file "$d/o.sdp"
    "$d/quality_monitor" "$d/o.sdp" "$d/a.sdp" > "$d/qm.out" 2>&1 & ex=$!; started $ex
    wait_for $mc 15
    wait_for $ex 10
    lines=$(grep -c "MOS" "$d/qm.out")
    if [ "$lines" -ge 3 ]; then pass "example quality_monitor: $lines reports, the last: $(grep MOS "$d/qm.out" | tail -n 1 | tr -s ' ')"
    else fail "example quality_monitor: $lines reports"; head -n 5 "$d/qm.out"; fi
    # many calls in one loop: every packet sent arrives
    for e in epoll_many libuv_many; do
        out=$("$d/$e" 20 2 2>&1)
        s_=$(echo "$out" | sed -n 's/.*: \([0-9]*\) packets sent.*/\1/p'); r_=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
        if [ -n "$s_" ] && [ "$s_" -ge 3800 ] && [ "$s_" = "$r_" ]; then pass "example $e: $out"; else fail "example $e: $out"; fi
    done
}
examples_run

# ---------------------------------------------------------------- in-band DTMF
# talk-off: speech synthesised by espeak-ng (our own sentences, four voices,
# at its level and 10 dB louder), resampled to 8 kHz by ffmpeg: no digit
talkoff() {
    d=$B/talkoff; mkdir -p "$d"
    cat > "$d/text.txt" <<'TXT'
The quick brown fox jumps over the lazy dog while seven hungry cats watch from the old stone wall.
Please call me back at your earliest convenience, the number is on the card I left at the front desk.
Our meeting has been moved to Thursday afternoon at three o'clock in the large room on the fourth floor.
Yesterday the weather was cold and windy, but today the sun is shining and children play by the river.
Can you hear me now? I am calling about the invoice we received last week; the amount seems too high.
One, two, three, four, five, six, seven, eight, nine, ten. Hello, hello, is anybody there?
Welcome to the customer service line, your call is important to us, please stay on the line.
TXT
    files=""
    for v in en en+f3 de fr; do
        if espeak-ng -v "$v" -s 160 -f "$d/text.txt" -w "$d/$v.raw.wav" 2>/dev/null; then
            for g in 0 10; do
                ffmpeg -nostdin -loglevel error -y -i "$d/$v.raw.wav" -af "volume=${g}dB" -ar 8000 -ac 1 -c:a pcm_s16le "$d/$v.$g.wav" &&
                    files="$files $d/$v.$g.wav"
            done
        fi
    done
    r=$($B/dtmf_scan $files 2>&1 | tail -n 1)
    n=$(echo "$r" | cut -d' ' -f1); secs=$(echo "$r" | sed -n 's/.* in \([0-9.]*\) s/\1/p')
    if [ -n "$secs" ] && ge "$secs" 200 && [ "$n" = 0 ]; then
        pass "in-band DTMF talk-off: $r of espeak-ng speech (4 voices, 2 levels)"
    else
        fail "in-band DTMF talk-off: ${r:-no result}"; $B/dtmf_scan $files 2>&1 | head -5
    fi
}
# mediacall -> ffmpeg without telephone-event: the digits as tones in the
# audio, read back from ffmpeg's recording by spandsp's detector (not ours)
mc_inband_to_ff() {
    d=$B/inband_to_ff; mkdir -p "$d"
    if ! $CC -std=gnu99 -O2 -Wall -Wextra -Werror -I. tests/interop/spandsp_dtmf.c -o "$B/spandsp_dtmf" -lspandsp -lm \
         2> "$d/build.log"; then
        fail "build tests/interop/spandsp_dtmf.c"; head -5 "$d/build.log"; return
    fi
    rx=$($WT port)
    printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$rx" > "$d/rx.sdp"
    ffmpeg -nostdin -loglevel error -protocol_whitelist file,udp,rtp -listen_timeout 3 -i "$d/rx.sdp" -y "$d/got.wav" \
        > "$d/ff.log" 2>&1 & ff=$!; started $ff
    wait_udp "$rx"
    $MC --remote "$d/rx.sdp" --sdp-out "$d/me.sdp" --dtmf "159#*0D" --dtmf-at 300 --duration 3 > "$d/out.json" 2> "$d/err"
    wait_for $ff 10
    sp=$($B/spandsp_dtmf "$d/got.wav" 2>&1); sent=$(end_field "$d/out.json" dtmf_sent)
    if [ "$sp" = "159#*0D" ] && [ "$sent" = 7 ]; then
        pass "mediacall -> ffmpeg without telephone-event: 7 digits sent as tones, spandsp reads \"$sp\" in ffmpeg's recording"
    else
        fail "mediacall in-band DTMF -> ffmpeg: sent ${sent:-?}, spandsp read '$sp'"; head -3 "$d/err" "$d/ff.log"
    fi
}
# (run below, beside the many-parties calls: they mostly wait in real time)
INBAND_JOBS=""
if have espeak-ng && have ffmpeg && [ -f /usr/include/spandsp/dtmf.h ]; then INBAND_JOBS="talkoff mc_inband_to_ff"
else skip "in-band DTMF (talk-off, to spandsp)" "espeak-ng, ffmpeg or libspandsp-dev missing (make deps)"; fi

# ---------------------------------------------------------------- many parties
# peer_offer FILE PORT CODEC [DIRECTION]: a phone's offer (pcmu, or opus at 111)
peer_offer() {
    if [ "$3" = opus ]; then m="111"; r="a=rtpmap:111 opus/48000/2"; else m="0"; r="a=rtpmap:0 PCMU/8000"; fi
    printf 'v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP %s\r\n%s\r\n%b' \
        "$2" "$m" "$r" "${4:+a=$4\r\n}" > "$1"
}
# tone_ok LABEL REF GOT HEARD... -- OWN: each HEARD tone within 1 dB, OWN 40 dB down or more
tone_ok() {
    label=$1 ref=$2 got=$3; shift 3
    heard="" own=""
    while [ $# -gt 0 ] && [ "$1" != -- ]; do heard="$heard $1"; shift; done
    [ $# -gt 0 ] && { shift; own=$1; }
    r=$($WT tonelevel "$ref" "$got" $heard 2>&1); ok=$?
    o=""; [ -n "$own" ] && o=$($WT tonelevel "$ref" "$got" "$own" 2>&1 | sed -n 's/^[0-9]* Hz \([-+0-9.]*\) dB.*/\1/p')
    if [ "$ok" = 0 ] && { [ -z "$own" ] || { [ -n "$o" ] && awk -v x="$o" 'BEGIN{exit !(x <= -40)}'; }; }; then
        pass "$label: $r${own:+; its own $own Hz at $o dB}"
    else
        fail "$label: $r${own:+; its own $own Hz at ${o:-?} dB}"
    fi
}

# three GStreamer phones (PCMU) in a conference, each sending its own tone
conf_gst() {
    d=$B/conf_gst; mkdir -p "$d/out"
    $WT tones "$d/all.wav" 8000 4 440 700 1100
    k=0
    for f in 440 700 1100; do
        $WT tones "$d/t$k.wav" 8000 4 $f
        p=$($WT port); eval "P$k=$p"
        peer_offer "$d/p$k.sdp" "$p" pcmu
        k=$((k + 1))
    done
    $B/conference --remote "$d/p0.sdp" --remote "$d/p1.sdp" --remote "$d/p2.sdp" --sdp-out-dir "$d/out" \
        --record "$d/mix.wav" --idle 1.5 --duration 25 > "$d/conf.json" 2> "$d/conf.err" & c=$!; started $c
    for k in 0 1 2; do wait_file "$d/out/$k.sdp" || { fail "conference: no answer $k"; stop $c; return; }; done
    phones=""
    for k in 0 1 2; do
        eval "p=\$P$k"
        /usr/bin/python3 tests/interop/gst_phone.py "$p" "$(sdp_port "$d/out/$k.sdp")" pcmu "$d/t$k.wav" "$d/got$k.wav" 5.5 \
            > "$d/phone$k.log" 2>&1 & g=$!; started $g; phones="$phones $g"
    done
    for g in $phones; do wait_for $g 20; done
    wait_for $c 10
    joined=$(grep -c '"event":"joined"' "$d/conf.json"); left=$(grep -c '"event":"left"' "$d/conf.json")
    if [ "$joined" = 3 ] && [ "$left" = 3 ] && grep -q '"event":"end"' "$d/conf.json"; then
        pass "conference of three GStreamer phones: 3 joined, 3 left, $(grep -c '"event":"speaker"' "$d/conf.json") speaker changes"
    else
        fail "conference: $joined joined, $left left"; head -3 "$d/conf.err" "$d"/phone*.log
    fi
    tone_ok "conference, phone 0 (440 Hz) hears the others" "$d/all.wav" "$d/got0.wav" 700 1100 -- 440
    tone_ok "conference, phone 1 (700 Hz) hears the others" "$d/all.wav" "$d/got1.wav" 440 1100 -- 700
    tone_ok "conference, phone 2 (1100 Hz) hears the others" "$d/all.wav" "$d/got2.wav" 440 700 -- 1100
    tone_ok "conference, the recorded mix" "$d/all.wav" "$d/mix.wav" 440 700 1100
}

# a PCMU GStreamer phone bridged to an Opus one: transcoded both ways
bridge_opus_gst() {
    d=$B/bridge_opus; mkdir -p "$d/out"
    $WT tones "$d/a.wav" 8000 4 440; $WT tones "$d/b.wav" 48000 4 1000; $WT tones "$d/both.wav" 8000 4 440 1000
    pa=$($WT port); pb=$($WT port)
    peer_offer "$d/a.sdp" "$pa" pcmu; peer_offer "$d/b.sdp" "$pb" opus
    $B/bridge --remote "$d/a.sdp" --remote "$d/b.sdp" --sdp-out-dir "$d/out" --codec-a pcmu --codec-b opus --idle 1.5 \
        --duration 25 > "$d/bridge.json" 2> "$d/bridge.err" & br=$!; started $br
    wait_file "$d/out/1.sdp" || { fail "bridge PCMU - Opus: no answer"; stop $br; return; }
    /usr/bin/python3 tests/interop/gst_phone.py "$pa" "$(sdp_port "$d/out/0.sdp")" pcmu "$d/a.wav" "$d/gotA.wav" 5.5 \
        > "$d/phoneA.log" 2>&1 & ga=$!; started $ga
    /usr/bin/python3 tests/interop/gst_phone.py "$pb" "$(sdp_port "$d/out/1.sdp")" opus "$d/b.wav" "$d/gotB.wav" 5.5 \
        > "$d/phoneB.log" 2>&1 & gb=$!; started $gb
    wait_for $ga 20; wait_for $gb 20; wait_for $br 10
    end=$(grep '"event":"end"' "$d/bridge.json")
    codecs=$(echo "$end" | grep -o '"codec":"[A-Za-z]*"' | tr '\n' ' ')
    tr=$(echo "$end" | grep -o '"transcoded":[0-9]*' | sed 's/.*://' | tr '\n' ' '); tr=$(echo $tr)
    rl=$(echo "$end" | grep -o '"relayed":[0-9]*' | sed 's/.*://' | tr '\n' ' '); rl=$(echo $rl)
    if [ "$codecs" = '"codec":"PCMU" "codec":"opus" ' ] && [ "$rl" = "0 0" ] &&
       ge "$(echo $tr | cut -d' ' -f1)" 180 && ge "$(echo $tr | cut -d' ' -f2)" 180; then
        pass "bridge PCMU (GStreamer) - Opus (GStreamer): transcoded $tr frames (each way), nothing relayed"
    else
        fail "bridge PCMU - Opus: codecs $codecs, transcoded $tr, relayed $rl"; head -3 "$d/bridge.err" "$d"/phone*.log
    fi
    tone_ok "bridge, the PCMU phone hears the Opus one" "$d/both.wav" "$d/gotA.wav" 1000 -- 440
    tone_ok "bridge, the Opus phone hears the PCMU one" "$d/both.wav" "$d/gotB.wav" 440 -- 1000
}

# relay_ff SIDE: ffmpeg sends to the bridge's leg SIDE (0 or 1), first one
# process then another (a new SSRC, sequence and timeline: a transfer); an
# ffmpeg receiver is the other leg's peer. tshark: what the far leg sent is
# one SSRC, the sequence +1 every packet, timestamps always forward, the
# marker only where a new origin starts.
relay_ff() {
    d=$B/relay_ff$1; mkdir -p "$d/out"
    ps=$($WT port); pr=$($WT port)
    far=$((1 - $1))
    peer_offer "$d/s.sdp" "$ps" pcmu sendonly; peer_offer "$d/r.sdp" "$pr" pcmu recvonly
    if [ "$1" = 0 ]; then set -- "$d/s.sdp" "$d/r.sdp"; else set -- "$d/r.sdp" "$d/s.sdp"; fi
    dumpcap -q -P -i lo -f "udp dst port $pr" -a duration:20 -w "$d/cap.pcap" > /dev/null 2>&1 & cap=$!; started $cap
    sleep 0.3   # (dumpcap is ready in 0.04 s)
    $B/bridge --remote "$1" --remote "$2" --sdp-out-dir "$d/out" --idle 1.5 --duration 25 > "$d/bridge.json" 2> "$d/bridge.err" & br=$!
    started $br
    side=$((1 - far))
    wait_file "$d/out/$far.sdp" || { fail "relay: no answer"; stop $br; return; }
    leg=$(sdp_port "$d/out/$side.sdp")
    printf 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' "$pr" > "$d/rx.sdp"
    ffmpeg -nostdin -loglevel error -protocol_whitelist file,udp,rtp -listen_timeout 4 -i "$d/rx.sdp" -y "$d/got.wav" \
        > "$d/rx.log" 2>&1 & rx=$!; started $rx
    wait_udp "$pr"
    for f in 440 700; do   # the second sender: the same address, a new stream
        ffmpeg -nostdin -loglevel error -re -f lavfi -i "sine=f=$f:d=2:sample_rate=8000,asetnsamples=n=160:p=0" -c:a pcm_mulaw \
            -f rtp -payload_type 0 "rtp://127.0.0.1:$leg?localrtpport=$ps&localrtcpport=$((ps + 1))" > "$d/tx$f.log" 2>&1 & tx=$!
        started $tx; wait_for $tx 10
    done
    wait_for $br 10; stop $cap INT; wait_for $rx 8
    tshark -n -r "$d/cap.pcap" -d "udp.port==$pr,rtp" -T fields -e rtp.ssrc -e rtp.seq -e rtp.timestamp -e rtp.marker \
        2>/dev/null > "$d/rtp.txt"
    r=$(awk 'NF == 4 {if (n && ($2 != (ps + 1) % 65536 || $3 - pt <= 0 && $3 - pt > -2147483648)) bad++; if (!(($1) in s)) ns++; s[$1] = 1
                      m += $4; ps = $2; pt = $3; n++}
             END {printf "%d packets, %d SSRC, %d breaks, %d markers", n, ns, bad + 0, m}' "$d/rtp.txt")
    end=$(grep '"event":"end"' "$d/bridge.json")
    sw=$(echo "$end" | grep -o '"switches":[0-9]*' | sed -n "$((side + 1))p" | sed 's/.*://')
    relayed=$(echo "$end" | grep -o '"relayed":[0-9]*' | sed -n "$((side + 1))p" | sed 's/.*://')
    sent=$(echo "$end" | grep -o '"packets_sent":[0-9]*' | sed -n "$((far + 1))p" | sed 's/.*://')
    n=$(echo "$r" | cut -d' ' -f1)
    # the far leg's stream: its own silence until the first packet came (a
    # marker), then the relayed ones (a marker at the first and at the switch)
    m=2; [ "${sent:-0}" -gt "${relayed:-0}" ] && m=3
    if echo "$r" | grep -q " 1 SSRC, 0 breaks, $m markers" && [ "$sw" = 1 ] && [ "$n" = "$sent" ] && ge "${relayed:-0}" 190; then
        pass "relay from leg $side across a switch of ffmpeg senders, tshark on the far leg: $r; $relayed of them relayed, $sw switch"
    else
        fail "relay from leg $side: tshark $r; the far leg sent ${sent:-?}, relayed ${relayed:-?}, switches ${sw:-?}"
        head -3 "$d/bridge.err" "$d"/tx*.log
    fi
}

if have gst-launch-1.0 && have ffmpeg && have dumpcap && [ -n "$OPUS_LIBS" ] &&
   /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0")' 2>/dev/null; then
    together conf_gst bridge_opus_gst "relay_ff 0" "relay_ff 1" $INBAND_JOBS
else
    skip "many parties (conference, bridge, relay)" "GStreamer, python3-gi, ffmpeg, tshark or libopus missing (make deps)"
    [ -n "$INBAND_JOBS" ] && together $INBAND_JOBS
fi

# ---------------------------------------------------------------- kernel-level loss
# Two mediacalls in a network namespace of our own; nftables drops every 20th
# datagram to B's RTP port in the input hook (counted; from the 11th, so none at
# either end of the stream, where no receiver can see a loss), RTCP on the next port.
NS=""
ns_loss() {
    d=$B/netns; mkdir -p "$d"
    NS=media_h_$$
    if ! ip netns add "$NS" 2>"$d/ns.log"; then NS=""; skip "kernel loss in a namespace" "ip netns add: $(head -n 1 "$d/ns.log")"; return; fi
    ip netns exec "$NS" ip link set lo up
    if ! printf 'table inet media_test {\n chain input {\n  type filter hook input priority 0;\n  iifname "lo" udp dport 30000 numgen inc mod 20 10 counter drop\n }\n}\n' |
         ip netns exec "$NS" nft -f - 2>"$d/nft.log"; then
        fail "nftables rule: $(head -n 1 "$d/nft.log")"; return
    fi
    ip netns exec "$NS" "$MC" --local 127.0.0.1:30000 --no-mux --offer --sdp-out "$d/b.sdp" --remote "$d/a.sdp" \
        --record "$d/got.wav" --jitter-fixed 200 --idle 1.5 --duration 25 > "$d/b.json" 2> "$d/b.err" & mb=$!; started $mb
    if ! wait_file "$d/b.sdp"; then fail "namespace: no offer"; stop $mb; return; fi
    ip netns exec "$NS" "$MC" --local 127.0.0.1:31000 --remote "$d/b.sdp" --sdp-out "$d/a.sdp" --play "$SRC" --hangup \
        --duration 20 > "$d/a.json" 2> "$d/a.err" & ma=$!; started $ma
    wait_for $ma 20
    wait_for $mb 10
    dropped=$(ip netns exec "$NS" nft list table inet media_test | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    sent=$(end_field "$d/a.json" packets_sent); got=$(end_field "$d/b.json" packets_received)
    lost=$(end_field "$d/b.json" lost); conc=$(end_field "$d/b.json" concealed)
    if [ -n "$dropped" ] && [ "$dropped" -ge 9 ] && [ "$lost" = "$dropped" ] && [ "$got" = $((sent - dropped)) ] && [ "$conc" = "$dropped" ]; then
        pass "kernel loss (nftables, namespace): $sent sent, $dropped dropped by the kernel, ours: $got received, $lost lost, $conc concealed"
    else
        fail "kernel loss: sent ${sent:-?}, dropped ${dropped:-?}; ours: received ${got:-?}, lost ${lost:-?}, concealed ${conc:-?}"
        head -3 "$d/a.err" "$d/b.err"
    fi
    # every frame but those the kernel dropped (and their neighbours, which
    # the concealment's blend changes), followed through a re-timing: a VM
    # stall of the sender makes even the fixed-delay buffer play later
    r=$($WT corr "$SRC" "$d/got.wav" 2>&1)
    ok=$(echo "$r" | sed -n 's/.*frames_ok_tracked=\([0-9.]*\).*/\1/p')
    need=$(awk -v d="${dropped:-0}" 'BEGIN{printf "%.4f", 1 - 2 * d / 200.0 - 0.01}')
    if [ -n "$ok" ] && ge "$ok" "$need"; then pass "kernel loss audio: $r (needed frames_ok >= $need)"
    else fail "kernel loss audio: $r (needed frames_ok >= $need)"; fi
    ip netns del "$NS"; NS=""
}
if have ip && have nft; then ns_loss; else skip "kernel loss in a namespace" "iproute2/nftables missing (make deps)"; fi

if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
