/* ffmpeg as a real peer on loopback, both ways (make test: once, in real time).
   Sender: it streams a 440 Hz tone as PCMU and PCMA; media.h must parse every RTP
   packet and RTCP compound, the statistics must see a clean stream, and the
   decoded audio must be the tone.
   Receiver: it depacketizes RTP written by media.h (across a sequence and a
   timestamp wrap) and decodes it to WAV, which must equal our own decode.
   Bounded: 2 s of audio each, 15 s at most per run, ffmpeg ended by its PID. */
#define _POSIX_C_SOURCE 200809L
#include "../../media.h"
#include "../harness.h"
#include <math.h>
#include <time.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <poll.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static void sleep_us(long us)
{
    struct timespec ts;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (us % 1000000) * 1000;
    nanosleep(&ts, NULL);
}

static int have_ffmpeg(void) { return system("ffmpeg -version >/dev/null 2>&1") == 0; }

/* an even RTP port with RTCP on the next one, both on 127.0.0.1 */
static int bind_pair(int *rtp, int *rtcp, int *port)
{
    int tries;
    for (tries = 0; tries < 100; tries++) {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0), p;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (s1 >= 0 && s2 >= 0 && bind(s1, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(s1, (struct sockaddr *)&a, &al) == 0 && (p = ntohs(a.sin_port)) % 2 == 0 && p < 65535) {
            a.sin_port = htons((uint16_t)(p + 1));
            if (bind(s2, (struct sockaddr *)&a, sizeof a) == 0) {
                *rtp = s1; *rtcp = s2; *port = p;
                return 0;
            }
        }
        if (s1 >= 0) close(s1);
        if (s2 >= 0) close(s2);
    }
    return -1;
}

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *nul = freopen("/dev/null", "w", stdout);
        nul = freopen("/dev/null", "w", stderr);
        (void)nul;
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* share of the signal's energy at freq (Goertzel over the whole signal) */
static double tone_share(const int16_t *x, int n, double freq, double rate)
{
    double w = 2 * 3.14159265358979323846 * freq / rate, c = 2 * cos(w), s1 = 0, s2 = 0, e = 0, p;
    int i;
    for (i = 0; i < n; i++) {
        double s = x[i] + c * s1 - s2;
        s2 = s1; s1 = s;
        e += (double)x[i] * x[i];
    }
    p = s1 * s1 + s2 * s2 - c * s1 * s2;      /* |X(freq)|^2 */
    return e > 0 ? 2 * p / ((double)n * e) : 0;
}

static void run_stream(const char *codec, int pt)
{
    enum { MAXS = 8000 * 4 };
    static int16_t audio[MAXS];
    int rtp, rtcp, port, nsamp = 0, packets = 0, bad = 0, seq_err = 0, ts_err = 0, markers = 0, srs = 0, rtcp_bad = 0;
    int status = 0, exited = 0, sdes_items = 0, sr_ssrc_ok = 1, sr_fields_ok = 1;
    uint32_t ssrc = 0, last_ts = 0;
    uint16_t last_seq = 0;
    uint64_t t_end, idle_since = 0;
    char url[64];
    char *argv[32];
    int k = 0;
    pid_t pid;
    media_rtp_stats st;
    if (bind_pair(&rtp, &rtcp, &port) != 0) { CHECK(!"no UDP port pair on 127.0.0.1"); return; }
    snprintf(url, sizeof url, "rtp://127.0.0.1:%d", port);
    argv[k++] = (char *)"ffmpeg"; argv[k++] = (char *)"-hide_banner"; argv[k++] = (char *)"-nostdin";
    argv[k++] = (char *)"-loglevel"; argv[k++] = (char *)"error"; argv[k++] = (char *)"-re";
    argv[k++] = (char *)"-f"; argv[k++] = (char *)"lavfi";
    argv[k++] = (char *)"-i"; argv[k++] = (char *)"sine=frequency=440:sample_rate=8000:duration=2,asetnsamples=n=160:p=0";
    argv[k++] = (char *)"-c:a"; argv[k++] = (char *)codec; argv[k++] = (char *)"-ac"; argv[k++] = (char *)"1";
    argv[k++] = (char *)"-f"; argv[k++] = (char *)"rtp"; argv[k++] = url; argv[k] = NULL;
    media_rtp_stats_init(&st, 8000);
    pid = spawn(argv);
    CHECK(pid > 0);
    t_end = media_now_us() + 15000000u;
    while (pid > 0 && media_now_us() < t_end) {
        struct pollfd fds[2];
        uint8_t buf[2048];
        int i, r;
        fds[0].fd = rtp; fds[0].events = POLLIN; fds[1].fd = rtcp; fds[1].events = POLLIN;
        r = poll(fds, 2, 100);
        if (r == 0) {
            if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = 1;
            if (exited) {
                if (!idle_since) idle_since = media_now_us();
                else if (media_now_us() - idle_since > 300000) break;   /* ffmpeg done, socket drained */
            }
            continue;
        }
        idle_since = 0;
        for (i = 0; i < 2; i++) {
            ssize_t n;
            if (!(fds[i].revents & POLLIN)) continue;
            n = recv(fds[i].fd, buf, sizeof buf, 0);
            if (n <= 0) continue;
            if (i == 0) {
                media_rtp_packet p;
                if (media_rtp_parse(&p, buf, (size_t)n) != MEDIA_OK || p.payload_type != pt) { bad++; continue; }
                if (packets == 0) ssrc = p.ssrc;
                else {
                    if (p.ssrc != ssrc) bad++;
                    if (p.seq != (uint16_t)(last_seq + 1)) seq_err++;
                    if (p.timestamp - last_ts != 160) ts_err++;
                }
                if (p.marker) markers++;
                if (p.payload_len != 160) bad++;
                last_seq = p.seq;
                last_ts = p.timestamp;
                packets++;
                media_rtp_stats_update(&st, &p, media_now_us());
                if (nsamp + (int)p.payload_len <= MAXS) {
                    if (pt == 0) media_pcmu_decode(audio + nsamp, p.payload, p.payload_len);
                    else media_pcma_decode(audio + nsamp, p.payload, p.payload_len);
                    nsamp += (int)p.payload_len;
                }
            } else {
                static media_rtcp c;
                int j;
                if (media_rtcp_parse(&c, buf, (size_t)n, 0) < 1) { rtcp_bad++; continue; }
                if (c.packets[0].type == MEDIA_RTCP_SR) {
                    const media_rtcp_packet *sr = &c.packets[0];
                    int64_t skew = (int64_t)(sr->ntp >> 32) - (int64_t)(media_ntp_now() >> 32);
                    srs++;
                    /* ffmpeg's first SR precedes the first RTP packet; compare afterwards */
                    if (packets && sr->ssrc != ssrc) sr_ssrc_ok = 0;
                    /* its NTP time is the wall clock; its counts cover what was sent */
                    if (skew < -86400 || skew > 86400 || sr->packet_count > (uint32_t)packets ||
                        sr->octet_count != 160u * sr->packet_count || sr->n != 0) sr_fields_ok = 0;
                }
                for (j = 0; j < c.item_count; j++) sdes_items++;
            }
        }
    }
    if (pid > 0 && !exited && waitpid(pid, &status, WNOHANG) != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        CHECK(!"ffmpeg did not finish within 15 s");
    }
    close(rtp);
    close(rtcp);
    printf("  %s: %d RTP packets, %d SR, stats lost %lld, jitter %.2f ms, tone share %.4f\n", codec, packets, srs,
           (long long)media_rtp_stats_lost(&st), media_rtp_stats_jitter_ms(&st), tone_share(audio, nsamp, 440, 8000));
    CHECK_EQ_INT(packets, 100);          /* 2 s of 20 ms frames */
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(seq_err, 0);
    CHECK_EQ_INT(ts_err, 0);
    CHECK_EQ_INT(markers, 0);            /* ffmpeg never sets it for G.711 */
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 99);   /* the first packet is probation (RFC 3550 A.1) */
    CHECK_EQ_INT(st.duplicates, 0);
    CHECK(srs >= 1);
    CHECK_EQ_INT(rtcp_bad, 0);
    CHECK(sr_ssrc_ok);
    CHECK(sr_fields_ok);
    /* ffmpeg sends a bare SR, no SDES (RFC 3550 6.1 wants a CNAME in every
       compound): a real-world deviation the parser must and does accept */
    CHECK_EQ_INT(sdes_items, 0);
    CHECK(tone_share(audio, nsamp, 440, 8000) > 0.99);
}

/* a free even UDP port on 127.0.0.1 (with the next one free too), for ffmpeg to bind */
static int free_port(void)
{
    int a, b, port;
    if (bind_pair(&a, &b, &port) != 0) return -1;
    close(a);
    close(b);
    return port;
}

/* 1 while something holds port on 127.0.0.1 */
static int port_taken(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_DGRAM, 0), taken;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    taken = bind(s, (struct sockaddr *)&a, sizeof a) != 0 && errno == EADDRINUSE;
    close(s);
    return taken;
}

/* 16-bit mono samples of a WAV file written by ffmpeg; returns the count */
static int read_wav(const char *path, int16_t *out, int cap)
{
    static uint8_t d[1 << 20];
    FILE *f = fopen(path, "rb");
    size_t n, i;
    int k = 0;
    if (!f) return -1;
    n = fread(d, 1, sizeof d, f);
    fclose(f);
    for (i = 12; i + 8 <= n; ) {
        uint32_t len = (uint32_t)d[i + 4] | (uint32_t)d[i + 5] << 8 | (uint32_t)d[i + 6] << 16 | (uint32_t)d[i + 7] << 24;
        if (memcmp(d + i, "data", 4) == 0) {
            for (i += 8; len >= 2 && i + 1 < n && k < cap; len -= 2, i += 2) out[k++] = (int16_t)(d[i] | d[i + 1] << 8);
            return k;
        }
        i += 8 + len + (len & 1);
    }
    return -1;
}

/* We send 2 s of a tone as RTP written by media.h; ffmpeg (a real receiver)
   depacketizes and decodes it to WAV. G.711 decoders agree everywhere, so the
   WAV must equal our own decode of what we sent, sample for sample. */
static void run_receiver(int pt)
{
    enum { FRAMES = 100, N = FRAMES * 160 };
    static int16_t src[N], want[N], got[N + 8000];
    static uint8_t codes[N];
    char sdp_path[128], wav_path[128], url_sdp[512];
    char *argv[24];
    FILE *f;
    int port = free_port(), k = 0, i, n, status = 0, waited, tx;
    pid_t pid;
    uint64_t deadline;
    struct sockaddr_in to;
    CHECK(port > 0);
    if (port <= 0) return;
    for (i = 0; i < N; i++) src[i] = (int16_t)(8000 * sin(2 * 3.14159265358979 * 440 * i / 8000.0) + (i * 7919 % 601) - 300);
    if (pt == 0) { media_pcmu_encode(codes, src, N); media_pcmu_decode(want, codes, N); }
    else { media_pcma_encode(codes, src, N); media_pcma_decode(want, codes, N); }
    snprintf(sdp_path, sizeof sdp_path, "/tmp/media_ffrx_%ld.sdp", (long)getpid());
    snprintf(wav_path, sizeof wav_path, "/tmp/media_ffrx_%ld.wav", (long)getpid());
    f = fopen(sdp_path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=media.h test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
               "m=audio %d RTP/AVP %d\r\na=rtpmap:%d %s/8000\r\n", port, pt, pt, pt == 0 ? "PCMU" : "PCMA");
    fclose(f);
    remove(wav_path);
    snprintf(url_sdp, sizeof url_sdp, "%s", sdp_path);
    argv[k++] = (char *)"ffmpeg"; argv[k++] = (char *)"-hide_banner"; argv[k++] = (char *)"-nostdin";
    argv[k++] = (char *)"-loglevel"; argv[k++] = (char *)"error";
    argv[k++] = (char *)"-protocol_whitelist"; argv[k++] = (char *)"file,udp,rtp";
    argv[k++] = (char *)"-listen_timeout"; argv[k++] = (char *)"2";   /* idle seconds before it stops */
    argv[k++] = (char *)"-i"; argv[k++] = url_sdp; argv[k++] = (char *)"-y"; argv[k++] = (char *)"-f"; argv[k++] = (char *)"wav";
    argv[k++] = wav_path; argv[k] = NULL;
    pid = spawn(argv);
    CHECK(pid > 0);
    if (pid <= 0) return;
    /* ffmpeg binds its port a moment after it starts: wait for that (bounded) */
    for (waited = 0; waited < 500 && !port_taken(port); waited++) sleep_us(10000);
    CHECK(waited < 500);
    tx = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons((uint16_t)port);
    for (i = 0; i < FRAMES; i++) {
        uint8_t pkt[12 + 160];
        media_rtp_packet p;
        memset(&p, 0, sizeof p);
        p.payload_type = (uint8_t)pt; p.seq = (uint16_t)(65500 + i); p.timestamp = 0xFFFFF000u + 160u * (uint32_t)i;
        p.ssrc = 0x4D454449u; p.marker = i == 0;
        memcpy(pkt + 12, codes + 160 * i, 160);
        p.payload = pkt + 12; p.payload_len = 160;
        n = media_rtp_write(pkt, sizeof pkt, &p);
        CHECK_EQ_INT(n, 172);
        sendto(tx, pkt, (size_t)n, 0, (struct sockaddr *)&to, sizeof to);
        sleep_us(2000);   /* gentle on the receive queue; RTP timestamps carry the timing */
    }
    close(tx);
    /* ffmpeg stops two seconds after the last packet; give it up to 15 s */
    deadline = media_now_us() + 15000000u;
    while (waitpid(pid, &status, WNOHANG) != pid) {
        if (media_now_us() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            CHECK(!"ffmpeg did not finish within 15 s");
            break;
        }
        sleep_us(20000);
    }
    n = read_wav(wav_path, got, (int)(sizeof got / sizeof got[0]));
    remove(sdp_path);
    remove(wav_path);
    printf("  ffmpeg decoded %d samples of the %d we sent (%s)\n", n, N, pt == 0 ? "PCMU" : "PCMA");
    CHECK_EQ_INT(n, N);
    if (n == N) {
        int mismatches = 0;
        for (i = 0; i < N; i++) mismatches += got[i] != want[i];
        CHECK_EQ_INT(mismatches, 0);
    }
}

static void test_ffmpeg_receives_our_pcmu(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_receiver(0);
}

static void test_ffmpeg_receives_our_pcma(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_receiver(8);
}

static void test_ffmpeg_pcmu(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_stream("pcm_mulaw", 0);
}

static void test_ffmpeg_pcma(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_stream("pcm_alaw", 8);
}

/* SDPs ffmpeg writes (-sdp_file) at test time: parsed, round-tripped through
   our writer, read for what matters (ports, media-level c=, rtpmap or the
   static table) and answered. */
static media_sdp sdp_a, sdp_b, sdp_ans;

static int ffmpeg_sdp(const char *args, const char *path, char *text, size_t cap)
{
    char cmd[1024];
    FILE *f;
    size_t n;
    remove(path);
    snprintf(cmd, sizeof cmd, "timeout 20 ffmpeg -hide_banner -loglevel error -y -f lavfi "
             "-i sine=frequency=440:duration=0.2:sample_rate=48000 %s -sdp_file %s", args, path);
    if (system(cmd) != 0) return -1;
    f = fopen(path, "rb");
    if (!f) return -1;
    n = fread(text, 1, cap - 1, f);
    fclose(f);
    text[n] = 0;
    return (int)n;
}

static void sdp_roundtrip(const char *text, int n)
{
    static char w1[8192], w2[8192];
    int n1, n2;
    CHECK_EQ_INT(media_sdp_parse(&sdp_a, text, (size_t)n), MEDIA_OK);
    n1 = media_sdp_write(w1, sizeof w1, &sdp_a);
    CHECK(n1 > 0 && media_sdp_parse(&sdp_b, w1, (size_t)n1) == MEDIA_OK);
    n2 = media_sdp_write(w2, sizeof w2, &sdp_b);
    CHECK(n1 == n2 && memcmp(w1, w2, (size_t)n1) == 0);
    /* ffmpeg writes canonical CRLF SDP in RFC order: ours is byte-identical */
    CHECKF(n1 == n && memcmp(w1, text, (size_t)n) == 0, "ffmpeg:\n%s\nours:\n%s", text, w1);
}

static void test_ffmpeg_sdp(void)
{
    static char text[8192];
    char args[512];
    int n, r1, r2, p1, q1, q2, p2;
    media_sdp_oa_config cfg;
    media_sdp_result res;
    media_sdp_rtpmap r;
    const media_codec *list[4];
    static const media_codec opus = {"opus", 48000, 48000, 2, -1, 20, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    const char *path = "build/test/ffmpeg.sdp";
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    if (bind_pair(&r1, &q1, &p1) || bind_pair(&r2, &q2, &p2)) { CHECK(!"no ports"); return; }
    media_sdp_oa_config_init(&cfg);
    cfg.address = "127.0.0.1";
    cfg.port = 30000;
    /* PCMU and PCMA: static types, no rtpmap */
    snprintf(args, sizeof args, "-ac 1 -ar 8000 -c:a pcm_mulaw -f rtp rtp://127.0.0.1:%d", p1);
    n = ffmpeg_sdp(args, path, text, sizeof text);
    CHECK(n > 0);
    if (n <= 0) goto out;
    sdp_roundtrip(text, n);
    CHECK(sdp_a.media_count == 1 && sdp_a.media[0].port == p1 && sdp_a.media[0].pt[0] == 0);
    CHECK(media_sdp_attr_find(&sdp_a, 0, "rtpmap", -1) < 0 && media_sdp_rtpmap_get(&sdp_a, 0, 0, &r) == MEDIA_OK && r.is_static);
    CHECK(strcmp(media_sdp_attr_get(&sdp_a, MEDIA_SDP_SESSION, "tool"), "libavformat LIBAVFORMAT_VERSION") == 0);
    CHECK_EQ_INT(media_sdp_answer_create(&sdp_ans, &sdp_a, &cfg, &res), MEDIA_OK);
    CHECK(res.codec == media_codec_pcmu() && res.remote_rtp_port == p1 && strcmp(res.remote_address, "127.0.0.1") == 0);
    snprintf(args, sizeof args, "-ac 1 -ar 8000 -c:a pcm_alaw -f rtp rtp://127.0.0.1:%d", p1);
    n = ffmpeg_sdp(args, path, text, sizeof text);
    CHECK(n > 0);
    if (n <= 0) goto out;
    sdp_roundtrip(text, n);
    CHECK_EQ_INT(media_sdp_answer_create(&sdp_ans, &sdp_a, &cfg, &res), MEDIA_OK);
    CHECK(res.codec == media_codec_pcma() && res.payload_type == 8);
    /* G.722: static 9, RTP clock 8000 although the audio is 16 kHz */
    snprintf(args, sizeof args, "-ac 1 -ar 16000 -c:a g722 -f rtp rtp://127.0.0.1:%d", p1);
    n = ffmpeg_sdp(args, path, text, sizeof text);
    CHECK(n > 0);
    if (n <= 0) goto out;
    sdp_roundtrip(text, n);
    CHECK(media_sdp_rtpmap_get(&sdp_a, 0, 9, &r) == MEDIA_OK && media_sdp_span_equal(r.encoding, "G722") && r.clock_rate == 8000);
    CHECK_EQ_INT(media_sdp_answer_create(&sdp_ans, &sdp_a, &cfg, &res), MEDIA_ENEGOTIATION);   /* not ours */
    /* two streams, media-level c= only: PCMU taken, stereo Opus refused by default
       and accepted once an Opus description is in our list */
    snprintf(args, sizeof args, "-map 0:a -ac 1 -ar 8000 -c:a pcm_mulaw -f rtp rtp://127.0.0.1:%d "
             "-map 0:a -ac 2 -c:a libopus -f rtp rtp://127.0.0.1:%d", p1, p2);
    n = ffmpeg_sdp(args, path, text, sizeof text);
    CHECK(n > 0);
    if (n <= 0) goto out;
    sdp_roundtrip(text, n);
    CHECK(sdp_a.media_count == 2 && sdp_a.conn.address == 0 && sdp_a.media[1].conn.address != 0);
    CHECK(media_sdp_rtpmap_get(&sdp_a, 1, 97, &r) == MEDIA_OK && media_sdp_span_equal(r.encoding, "opus") && r.channels == 2);
    CHECK_EQ_INT(media_sdp_answer_create(&sdp_ans, &sdp_a, &cfg, &res), MEDIA_OK);
    CHECK(res.media_index == 0 && sdp_ans.media[1].port == 0 && res.remote_rtp_port == p1);
    list[0] = &opus; list[1] = media_codec_pcmu(); list[2] = media_codec_telephone_event();
    cfg.codecs = list; cfg.codec_count = 3;
    /* PCMU comes first in the offer, so it is taken; with PCMU gone, Opus */
    CHECK_EQ_INT(media_sdp_format_remove(&sdp_a, 0, 0), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&sdp_ans, &sdp_a, &cfg, &res), MEDIA_OK);
    CHECK(res.media_index == 1 && res.codec == &opus && res.payload_type == 97 && res.remote_rtp_port == p2);
out:
    close(r1); close(q1); close(r2); close(q2);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_ffmpeg_sdp);
    RUN(test_ffmpeg_pcmu);
    RUN(test_ffmpeg_pcma);
    RUN(test_ffmpeg_receives_our_pcmu);
    RUN(test_ffmpeg_receives_our_pcma);
    return harness_summary();
}
