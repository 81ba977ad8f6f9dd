#!/bin/sh
# make test: builds every test program with gcc and clang (C99), as C++ with g++,
# with the scalar G.711 path, under ASan+UBSan and under MSan (all of it first,
# in parallel), then runs them one at a time; runs the compile checks
# (declaration-only, MEDIA_STATIC, twice-included, C11/C++11/C++17, exported-symbol
# prefix) and each fuzzer for FUZZ_SECONDS. Prints one closing line
# "N passed, N failed". MEDIA_STRICT=1 turns "skipped: tool missing" into a failure.
set -u
cd "$(dirname "$0")/.." || exit 2
STRICT=${MEDIA_STRICT:-0}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
B=build/test
mkdir -p "$B"
# every build takes only the 0.2 names (tests/compile/compile_old_names.c the aliases)
WARN="-Wall -Wextra -Wpedantic -Wshadow -Werror -DMEDIA_NO_OLD_NAMES"
VARIANT_TESTS=
# every tests/unit/test_*.c, found by name (see tests/README); one that says
# "make test: once" drives real peers in real time (seconds each) and runs in
# the gcc and sanitizer builds only
TESTS=$(cd tests/unit && for f in test_*.c; do printf '%s ' "${f%.c}"; done)
TESTS_LOCAL=$(for t in $TESTS; do grep -q 'make test: once' "tests/unit/$t.c" || printf '%s ' "$t"; done)
uses_opus() { grep -q 'media_opus\.h' "tests/unit/$1.c"; }
uses_srtp() { grep -q 'media_srtp\.h' "tests/unit/$1.c"; }
uses_spandsp() { grep -q 'spandsp\.h' "tests/unit/$1.c"; }
# spandsp's G.711 is an optional second oracle (header-only use, no linking);
# its DTMF detector and generator are one for test_dtmf (linked; not under
# MSan, which needs every library instrumented: there that test runs alone)
SPANDSP=""; [ -f /usr/include/spandsp/g711.h ] && SPANDSP="-DHAVE_SPANDSP"
# libopus for media_opus.h's tests (libopus-dev)
OPUS_CFLAGS=$(pkg-config --cflags opus 2>/dev/null) OPUS_LIBS=$(pkg-config --libs opus 2>/dev/null)
# libsrtp2 for media_srtp.h's (libsrtp2-dev)
SRTP_CFLAGS=$(pkg-config --cflags libsrtp2 2>/dev/null) SRTP_LIBS=$(pkg-config --libs libsrtp2 2>/dev/null)
passed=0 failed=0 skipped=0
T0=$(date +%s)
# section TITLE: a heading with the seconds since make test began (where the time goes)
section() { echo "== $1 ($(($(date +%s) - T0)) s in) =="; }

have() { command -v "$1" >/dev/null 2>&1; }
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() {
    if [ "$STRICT" = 1 ]; then failed=$((failed + 1)); echo "FAIL $1 (skipped: $2; not allowed with STRICT=1)"
    else skipped=$((skipped + 1)); echo "skip $1 ($2)"; fi
}

# run_prog LABEL CMD...: runs a test program and adds its own counts
run_prog() {
    label=$1; shift
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" | sed 's/^/    /' | grep -v '^    ok ' | grep -v '^    [0-9]* passed' || true
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then fail "$label (exit $rc, no summary line)"; return; fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then fail "$label (exit $rc)"; else echo "$label: $line"; fi
}

# Everything is compiled first, in parallel (make -j, one job per core), then
# run one program at a time so the real-time tests have the machine to
# themselves. job TARGET PREREQS LOG CMD... adds a rule to that build.
JOBS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
MK=$B/jobs.mk ALL=""
: > "$MK"
job() {
    target=$1 prereqs=$2 log=$3; shift 3
    ALL="$ALL $target"
    printf '%s: %s\n\t@rm -f %s; %s 2>%s\n' "$target" "$prereqs" "$target" "$*" "$log" >> "$MK"
}
# a test that defines no implementation of its own links tests/impl.c's object
own_impl() { grep -q 'MEDIA_IMPLEMENTATION\|sessnet.h' "$1"; }

# plan_variant VARIANT COMPILER FLAGS...: the rules for one variant's tests
plan_variant() {
    variant=$1; comp=$2; shift 2
    have "$comp" || return 0
    mkdir -p "$B/$variant"
    job "$B/$variant/impl.o" "" "$B/$variant/impl.log" "$comp" "$@" -I. -c tests/impl.c -o "$B/$variant/impl.o"
    for t in ${VARIANT_TESTS:-$TESTS}; do
        pre="" post="" impl=""
        if uses_opus "$t"; then
            [ -z "$OPUS_LIBS" ] && continue
            pre=$OPUS_CFLAGS post=$OPUS_LIBS
        fi
        if uses_srtp "$t"; then
            [ -z "$SRTP_LIBS" ] && continue
            pre="$pre $SRTP_CFLAGS" post="$post $SRTP_LIBS"
        fi
        if uses_spandsp "$t" && [ -n "$SPANDSP" ] && [ "$variant" != msan ]; then
            pre="$pre -DHAVE_SPANDSP_DTMF" post="$post -lspandsp"
        fi
        own_impl "tests/unit/$t.c" || impl="$B/$variant/impl.o"
        # -x none: an object after "-x c++" is an object, not C++ source
        job "$B/$variant/$t" "$impl" "$B/$variant/$t.log" "$comp" "$@" $SPANDSP $pre -I. "tests/unit/$t.c" ${impl:+-x none $impl} -o "$B/$variant/$t" $post -lm
    done
}

# run_variant VARIANT COMPILER: runs what plan_variant built
run_variant() {
    variant=$1; comp=$2
    section "unit tests: $variant"
    if ! have "$comp"; then skip "$variant" "$comp not installed"; return; fi
    for t in ${VARIANT_TESTS:-$TESTS}; do
        if uses_opus "$t" && [ -z "$OPUS_LIBS" ]; then skip "$variant/$t" "libopus-dev not installed"; continue; fi
        if uses_srtp "$t" && [ -z "$SRTP_LIBS" ]; then skip "$variant/$t" "libsrtp2-dev not installed"; continue; fi
        if [ -x "$B/$variant/$t" ]; then
            run_prog "$variant/$t" "$B/$variant/$t"
        else
            fail "$variant/$t (does not compile)"
            cat "$B/$variant/impl.log" "$B/$variant/$t.log" 2>/dev/null | sed 's/^/    /' | head -20
        fi
    done
}

# compile_check LABEL COMPILER FLAGS... FILE
compile_check() {
    label=$1; comp=$2; shift 2
    if ! have "$comp"; then skip "$label" "$comp not installed"; return; fi
    if "$comp" "$@" -I. -c -o "$B/check.o" 2>"$B/check.log"; then pass "$label"
    else fail "$label"; sed 's/^/    /' "$B/check.log" | head -20; fi
}

# the rules: every variant's tests, the programs the later sections run, the fuzzers
SAN="-std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer $WARN"
HAVE_SAN=0
have clang && echo 'int main(void){return 0;}' | clang -x c -fsanitize=address,undefined - -o "$B/san_probe" 2>/dev/null && HAVE_SAN=1
# MSan: uninitialised reads, for what our own code runs (libopus, libsrtp2
# and libc's stdio are not instrumented: the tests that need them stay out)
MSAN="-std=c99 -O1 -g -fsanitize=memory -fsanitize-memory-track-origins -fno-omit-frame-pointer $WARN"
HAVE_MSAN=0
have clang && echo 'int main(void){return 0;}' | clang -x c -fsanitize=memory - -o "$B/msan_probe" 2>/dev/null && HAVE_MSAN=1
TESTS_MSAN=$(for t in $TESTS_LOCAL; do uses_opus "$t" || uses_srtp "$t" || printf '%s ' "$t"; done)
HAVE_FUZZ=0
have clang && echo 'int LLVMFuzzerTestOneInput(const unsigned char*d,unsigned long n){(void)d;(void)n;return 0;}' | \
    clang -x c -fsanitize=fuzzer,address,undefined - -o "$B/fuzz_probe" 2>/dev/null && HAVE_FUZZ=1
FUZZERS="fuzz_rtp fuzz_rtcp fuzz_stats fuzz_sdp fuzz_crypto fuzz_jitter fuzz_wav fuzz_session fuzz_pair fuzz_opus fuzz_srtp"
plan_variant gcc gcc -std=c99 -O2 $WARN
VARIANT_TESTS=$TESTS_LOCAL
plan_variant clang clang -std=c99 -O2 $WARN
plan_variant g++ g++ -x c++ -std=c++11 -O2 $WARN
plan_variant scalar gcc -std=c99 -O2 -DMEDIA_NO_SIMD $WARN
VARIANT_TESTS=
[ $HAVE_SAN = 1 ] && plan_variant asan+ubsan clang $SAN
VARIANT_TESTS=$TESTS_MSAN
[ $HAVE_MSAN = 1 ] && plan_variant msan clang $MSAN
VARIANT_TESTS=
mkdir -p "$B/no_libopus"
job "$B/no_libopus/test_opus" "$B/gcc/impl.o" "$B/no_libopus/test_opus.log" \
    gcc -std=c99 -O2 $WARN -DMEDIA_OPUS_NO_LIBOPUS -I. tests/unit/test_opus.c "$B/gcc/impl.o" -o "$B/no_libopus/test_opus" -lm
job "$B/no_libopus/test_opus_session" "" "$B/no_libopus/test_opus_session.log" \
    gcc -std=c99 -O2 $WARN -DMEDIA_OPUS_NO_LIBOPUS -I. tests/unit/test_opus_session.c -o "$B/no_libopus/test_opus_session" -lm
mkdir -p "$B/no_libsrtp"
job "$B/no_libsrtp/test_srtp" "" "$B/no_libsrtp/test_srtp.log" \
    gcc -std=c99 -O2 $WARN -DMEDIA_SRTP_NO_LIBSRTP -I. tests/unit/test_srtp.c -o "$B/no_libsrtp/test_srtp" -lm
job "$B/branchfree_simd" "" "$B/branchfree_simd.log" gcc -std=c99 -O2 -I. tests/compile/branchfree.c -o "$B/branchfree_simd" -lm
job "$B/branchfree_scalar" "" "$B/branchfree_scalar.log" gcc -std=c99 -O2 -DMEDIA_NO_SIMD -I. tests/compile/branchfree.c -o "$B/branchfree_scalar" -lm
DEMO_OPUS=${OPUS_CFLAGS:--DMEDIA_OPUS_NO_LIBOPUS}; [ -z "$OPUS_LIBS" ] && DEMO_OPUS=-DMEDIA_OPUS_NO_LIBOPUS
job "$B/demo" "" "$B/demo.log" gcc -std=c99 -O2 $WARN -I. $DEMO_OPUS examples/demo.c -o "$B/demo" $OPUS_LIBS -lm
job "$B/demo_cpp" "" "$B/demo_cpp.log" g++ -x c++ -std=c++11 -O2 $WARN -I. $DEMO_OPUS examples/demo.c -o "$B/demo_cpp" $OPUS_LIBS -lm
job "$B/demo_pcmu" "" "$B/demo_pcmu.log" gcc -std=c99 -O2 $WARN -I. -DMEDIA_OPUS_NO_LIBOPUS examples/demo.c -o "$B/demo_pcmu" -lm
if [ $HAVE_FUZZ = 1 ]; then
    FZ="-std=c99 -O1 -g $WARN -fsanitize=address,undefined -fno-sanitize-recover=all"
    job "$B/fuzz_impl.o" "" "$B/fuzz_impl.log" clang $FZ -fsanitize=fuzzer-no-link -I. -c tests/impl.c -o "$B/fuzz_impl.o"
    for f in $FUZZERS; do
        pre="" post=""
        if [ "$f" = fuzz_opus ]; then [ -z "$OPUS_LIBS" ] && continue; pre=$OPUS_CFLAGS post=$OPUS_LIBS; fi
        if [ "$f" = fuzz_srtp ]; then [ -z "$SRTP_LIBS" ] && continue; pre=$SRTP_CFLAGS post=$SRTP_LIBS; fi
        impl="$B/fuzz_impl.o"; grep -q 'define MEDIA_IMPLEMENTATION' "fuzz/$f.c" && impl=""
        job "$B/$f" "$impl" "$B/$f.log" clang $FZ -fsanitize=fuzzer $pre -I. "fuzz/$f.c" $impl -o "$B/$f" $post -lm
    done
fi
printf '.PHONY: all%s\nall:%s\n' "$ALL" "$ALL" >> "$MK"
section "building ($JOBS jobs)"
make -s -k -j"$JOBS" -f "$MK" all >"$B/make.log" 2>&1 || true

section "unit tests"
run_variant gcc gcc
VARIANT_TESTS=$TESTS_LOCAL
run_variant clang clang
run_variant g++ g++
run_variant scalar gcc
VARIANT_TESTS=
if [ $HAVE_SAN = 1 ]; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 run_variant asan+ubsan clang
else
    skip "asan+ubsan" "clang sanitizer runtime (libclang-rt-14-dev) not installed"
fi
if [ $HAVE_MSAN = 1 ]; then
    VARIANT_TESTS=$TESTS_MSAN
    MSAN_OPTIONS=halt_on_error=1
    export MSAN_OPTIONS
    run_variant msan clang
    VARIANT_TESTS=
else
    skip "msan" "clang's MemorySanitizer runtime (libclang-rt-14-dev) not installed"
fi

# media_opus.h built without libopus: the cases that apply run (unsupported
# said, the fall back to PCMU), the rest are reported as not applicable
for t in test_opus test_opus_session; do
    if [ -x "$B/no_libopus/$t" ]; then run_prog "no_libopus/$t" "$B/no_libopus/$t"
    else fail "no_libopus/$t (does not compile)"; sed 's/^/    /' "$B/no_libopus/$t.log" | head -20; fi
done
# media_srtp.h without libsrtp2: every call says so, the call runs clear
if [ -x "$B/no_libsrtp/test_srtp" ]; then run_prog "no_libsrtp/test_srtp" "$B/no_libsrtp/test_srtp"
else fail "no_libsrtp/test_srtp (does not compile)"; sed 's/^/    /' "$B/no_libsrtp/test_srtp.log" | head -20; fi

section "G.711 encoder is branch-free (cachegrind branch simulation)"
if have valgrind; then
    for v in simd scalar; do
        for law in 0 1; do
            counts=""
            for frames in 200 1200; do
                valgrind --tool=cachegrind --branch-sim=yes --cache-sim=no --cachegrind-out-file=/dev/null \
                    "$B/branchfree_$v" $frames $law 2>"$B/bf.log" >/dev/null
                cond=$(grep 'Branches:' "$B/bf.log" | sed -E 's/.*\( *([0-9,]+) cond.*/\1/' | tr -d ,)
                miss=$(grep 'Mispredicts:' "$B/bf.log" | sed -E 's/.*\( *([0-9,]+) cond.*/\1/' | tr -d ,)
                counts="$counts $cond $miss"
            done
            # per extra sample: conditional branches and mispredictions
            set -- $counts
            per=$(awk -v a="$1" -v b="$3" 'BEGIN{printf "%.3f", (b - a) / (1000 * 160)}')
            mis=$(awk -v a="$2" -v b="$4" 'BEGIN{printf "%.4f", (b - a) / (1000 * 160)}')
            limit=1.05; [ "$v" = simd ] && limit=0.25
            label="$v $( [ $law = 0 ] && echo PCMU || echo PCMA ) encoder: $per branches, $mis mispredictions per sample"
            if awk -v p="$per" -v m="$mis" -v l="$limit" 'BEGIN{exit !(p <= l && m <= 0.01)}'; then pass "$label"; else fail "$label (limit $limit)"; fi
        done
    done
else
    skip "G.711 branch-free check" "valgrind not installed"
fi

section "README examples"
# readme_block NAME: the C block after README.md's "<!-- tested: NAME" line
readme_block() {
    awk -v tag="<!-- tested: $1 " 'index($0, tag) == 1 {t = 1; next} t && /^```c$/ {f = 1; next} f && /^```$/ {exit} f' README.md
}
# the RTP one: its preprocessor lines, then its statements inside a function
# (tests/readme/readme_example.c supplies the socket and variables they assume)
readme_block readme_rtp > "$B/readme.c"
grep '^#' "$B/readme.c" > "$B/readme_head.h"
grep -v '^#' "$B/readme.c" | sed 's/media_rtp_stats st; /media_rtp_stats st = st0; /' > "$B/readme_body.inc"
if [ -s "$B/readme_body.inc" ] && gcc -std=c99 $WARN -Wno-unused-macros -I. -I"$B" tests/readme/readme_example.c -o "$B/readme_example" -lm 2>"$B/readme.log"; then
    run_prog "README RTP example" "$B/readme_example"
else
    fail "README RTP example does not compile"; head -20 "$B/readme.log" | sed 's/^/    /'
fi
# the SDP one: a whole program that answers the SDP offer on stdin
readme_block readme_sdp > "$B/readme_sdp.c"
if gcc -std=c99 $WARN -I. "$B/readme_sdp.c" -o "$B/readme_sdp" -lm 2>"$B/readme_sdp.log"; then
    "$B/readme_sdp" < tests/data/sdp/pbx_asterisk.sdp > "$B/readme_sdp.out" 2> "$B/readme_sdp.err"; rc=$?
    if [ $rc -eq 0 ] && grep -q '^m=audio 40000 RTP/AVP 0 8 101.$' "$B/readme_sdp.out" && grep -q '^a=rtcp:40001.$' "$B/readme_sdp.out" &&
       [ "$(cat "$B/readme_sdp.err")" = "PCMU/8000 pt 0 -> 203.0.113.5:17654 (RTCP 17655), ptime 20 ms, DTMF pt 101" ]; then
        pass "README SDP example answers Asterisk's offer as the README says"
    else
        fail "README SDP example (exit $rc)"; sed 's/^/    /' "$B/readme_sdp.out" "$B/readme_sdp.err" | head -30
    fi
else
    fail "README SDP example does not compile"; head -20 "$B/readme_sdp.log" | sed 's/^/    /'
fi
# the call: compiled as C and C++, then run against a second session over loopback
readme_block readme_call > "$B/readme_call.inc"
if grep -q 'media_session_poll' "$B/readme_call.inc" &&
   g++ -x c++ -std=c++11 $WARN -I. -c "$B/readme_call.inc" -o "$B/readme_call_cpp.o" 2>"$B/readme_call.log" &&
   gcc -std=c99 $WARN -I. -I"$B" tests/readme/readme_call.c -o "$B/readme_call" -lm 2>>"$B/readme_call.log"; then
    mkdir -p "$B/readme_call.d"
    run_prog "README call example" "$B/readme_call" "$B/readme_call.d"
else
    fail "README call example does not compile"; head -20 "$B/readme_call.log" | sed 's/^/    /'
fi
# the manual's quick start (media.h section 1), its indented code as written,
# run as the body of a function against a second session
awk '/^   1\. QUICK START/{f=1;next} f&&/^   wait_readable\(\) is your loop/{exit} f&&/^      /{sub(/^      /,"");print}' \
    media.h > "$B/manual_quick.inc"
if grep -q 'media_session_poll' "$B/manual_quick.inc" &&
   gcc -std=c99 $WARN -I. -I"$B" tests/readme/manual_quick.c -o "$B/manual_quick" -lm 2>"$B/manual_quick.log" &&
   g++ -x c++ -std=c++11 $WARN -I. -I"$B" -c tests/readme/manual_quick.c -o "$B/manual_quick_cpp.o" 2>>"$B/manual_quick.log"; then
    mkdir -p "$B/manual_quick.d"
    run_prog "media.h's quick start" "$B/manual_quick" "$B/manual_quick.d"
else
    fail "media.h's quick start does not compile"; head -20 "$B/manual_quick.log" | sed 's/^/    /'
fi
# The optional headers' README blocks are lines of a function body (and
# their #lines): readme_fragment NAME SYMBOL NOLIB CFLAGS LIBS PRELUDE puts
# them in a function and compiles it as C without the library (NOLIB
# defined) and, when the library is there (LIBS found), as C++ with it
# (CFLAGS). PRELUDE: lines the block leaves out (media.h's implementation,
# for media_srtp.h's).
readme_fragment() {
    name=$1 symbol=$2 nolib=$3 cflags=$4 libs=$5 prelude=$6
    readme_block "$name" > "$B/$name.txt"
    { [ -n "$prelude" ] && printf '%s\n' "$prelude"; grep '^#' "$B/$name.txt"
      echo "void $name(media_session_config cfg);"
      echo "void $name(media_session_config cfg) {"; grep -v '^#' "$B/$name.txt"; echo '(void)cfg; }'; } > "$B/$name.c"
    grep -q "$symbol" "$B/$name.c" &&
        gcc -std=c99 $WARN -I. "-D$nolib" -c "$B/$name.c" -o "$B/$name.o" 2>"$B/$name.log" &&
        { [ -z "$libs" ] || g++ -x c++ -std=c++11 $WARN -I. $cflags -c "$B/$name.c" -o "$B/${name}_cpp.o" 2>>"$B/$name.log"; }
}
if readme_fragment readme_opus media_opus_init MEDIA_OPUS_NO_LIBOPUS "$OPUS_CFLAGS" "$OPUS_LIBS" ""; then
    pass "README media_opus.h example compiles"
else
    fail "README media_opus.h example does not compile"; head -20 "$B/readme_opus.log" | sed 's/^/    /'
fi
if readme_fragment readme_srtp media_srtp_attach MEDIA_SRTP_NO_LIBSRTP "$SRTP_CFLAGS" "$SRTP_LIBS" \
       "$(printf '#define MEDIA_IMPLEMENTATION\n#include "media.h"')"; then
    pass "README media_srtp.h example compiles"
else
    fail "README media_srtp.h example does not compile"; head -20 "$B/readme_srtp.log" | sed 's/^/    /'
fi

section "make demo (a call on loopback in real time: prompt, DTMF, recording)"
if [ -x "$B/demo" ] && [ -x "$B/demo_cpp" ] && [ -x "$B/demo_pcmu" ]; then
    if ./"$B/demo" > "$B/demo.out" 2>&1; then
        pass "make demo: $(grep -E 'codecs offered|received DTMF|segmental SNR' "$B/demo.out" | tr '\n' ' ')"
    else
        fail "make demo"; tail -8 "$B/demo.out" | sed 's/^/    /'
    fi
    # and as a program built without libopus runs it: on PCMU
    if ./"$B/demo_pcmu" > "$B/demo_pcmu.out" 2>&1 && grep -q 'recording .* (PCMU)' "$B/demo_pcmu.out"; then
        pass "demo without libopus: $(grep -E 'codecs offered|segmental SNR' "$B/demo_pcmu.out" | tr '\n' ' ')"
    else
        fail "demo without libopus"; tail -8 "$B/demo_pcmu.out" | sed 's/^/    /'
    fi
else
    fail "examples/demo.c does not compile"; cat "$B/demo.log" "$B/demo_cpp.log" "$B/demo_pcmu.log" | head -20 | sed 's/^/    /'
fi

section "interop with real peers (ffmpeg, GStreamer, tshark, the impairment relay)"
run_prog "interop" env MEDIA_STRICT="$STRICT" sh tests/interop/interop.sh

section "compile checks"
for std in c99 c11; do
    compile_check "gcc -std=$std declarations only" gcc -std=$std $WARN -x c tests/compile/compile_decl.c
    compile_check "gcc -std=$std implementation" gcc -std=$std $WARN -x c tests/compile/compile_impl.c
    compile_check "clang -std=$std implementation" clang -std=$std $WARN -x c tests/compile/compile_impl.c
done
for std in c++11 c++17; do
    compile_check "g++ -std=$std declarations only" g++ -std=$std $WARN -x c++ tests/compile/compile_decl.c
    compile_check "g++ -std=$std implementation" g++ -std=$std $WARN -x c++ tests/compile/compile_impl.c
    compile_check "clang++ -std=$std implementation" clang++ -std=$std $WARN -x c++ tests/compile/compile_impl.c
done
compile_check "gcc -std=gnu99: the user's feature macros left alone" gcc -std=gnu99 $WARN -x c tests/compile/compile_feature_macros.c
compile_check "clang -std=gnu11: the user's feature macros left alone" clang -std=gnu11 $WARN -x c tests/compile/compile_feature_macros.c
for b in bench/bench_core.c bench/bench_sdp.c bench/jitter_eval.c; do   # make bench's, kept building
    compile_check "$b compiles" gcc -std=c99 -O2 $WARN -x c "$b"
done
compile_check "bench/bench_opus.c compiles" gcc -std=c99 -O2 $WARN $OPUS_CFLAGS -x c bench/bench_opus.c
BENCH_SRTP=$SRTP_CFLAGS; [ -z "$SRTP_LIBS" ] && BENCH_SRTP=-DMEDIA_SRTP_NO_LIBSRTP
compile_check "bench/bench_srtp.c compiles" gcc -std=c99 -O2 $WARN $BENCH_SRTP -x c bench/bench_srtp.c
compile_check "bench/bench_sessions.c compiles" gcc -std=c99 -O2 $WARN $BENCH_SRTP -x c bench/bench_sessions.c
compile_check "bench/jitter_policy.c compiles" gcc -std=c99 -O2 $WARN -DJP_HEADER='"media.h"' -DJP_NAME=je_run_new -x c bench/jitter_policy.c
OLD_WARN=$(echo "$WARN" | sed 's/ -DMEDIA_NO_OLD_NAMES//')
compile_check "the names before 0.2 still compile (gcc)" gcc -std=c99 $OLD_WARN -x c tests/compile/compile_old_names.c
compile_check "the names before 0.2 still compile (g++)" g++ -std=c++11 $OLD_WARN -x c++ tests/compile/compile_old_names.c
if gcc -std=c99 $WARN -I. -c tests/compile/compile_old_names.c -o "$B/check.o" 2>/dev/null; then fail "MEDIA_NO_OLD_NAMES leaves the old names out"
else pass "MEDIA_NO_OLD_NAMES leaves the old names out"; fi
compile_check "MEDIA_STATIC (gcc)" gcc -std=c99 $WARN -DMEDIA_STATIC -x c tests/compile/compile_impl.c
compile_check "MEDIA_NO_STDIO (gcc)" gcc -std=c99 $WARN -DMEDIA_NO_STDIO -x c tests/compile/compile_impl.c
compile_check "MEDIA_STATIC (g++)" g++ -std=c++11 $WARN -DMEDIA_STATIC -x c++ tests/compile/compile_impl.c
compile_check "included twice, implementation between (gcc)" gcc -std=c99 $WARN -x c tests/compile/compile_twice.c
compile_check "included twice, implementation between (g++)" g++ -std=c++11 $WARN -x c++ tests/compile/compile_twice.c
# companion_checks NAME LIB CFLAGS LIBS: an optional header's compile checks
# (media_NAME.h, tests/compile/compile_NAME.c): declarations only, without
# its library (MEDIA_<NAME>_NO_<LIB>), with it, and its own #error when
# media.h did not come first
companion_checks() {
    h=media_$1.h f=tests/compile/compile_$1.c
    no=-DMEDIA_$(echo "$1" | tr a-z A-Z)_NO_$(echo "$2" | tr a-z A-Z | tr -d 0-9)
    compile_check "$h declarations only (gcc)" gcc -std=c99 $WARN -DTEST_DECL_ONLY -x c "$f"
    compile_check "$h without $2 (gcc)" gcc -std=c99 $WARN $no -x c "$f"
    compile_check "$h without $2 (g++)" g++ -std=c++11 $WARN $no -x c++ "$f"
    compile_check "$h without $2, MEDIA_STATIC" gcc -std=c99 $WARN $no -DMEDIA_STATIC -x c "$f"
    if [ -n "$4" ]; then
        compile_check "$h with $2 (gcc -std=c99)" gcc -std=c99 $WARN $3 -x c "$f"
        compile_check "$h with $2 (clang -std=c11)" clang -std=c11 $WARN $3 -x c "$f"
        compile_check "$h with $2 (g++ -std=c++17)" g++ -std=c++17 $WARN $3 -x c++ "$f"
        compile_check "$h with $2, MEDIA_STATIC" gcc -std=c99 $WARN $3 -DMEDIA_STATIC -x c "$f"
    else
        skip "$h with $2" "$2-dev not installed"
    fi
    first=-DTEST_$(echo "$1" | tr a-z A-Z)_FIRST
    if gcc -std=c99 $WARN $first $no -I. -c "$f" -o "$B/check.o" 2>"$B/check.log"; then
        fail "$h before media.h is refused"
    elif grep -q "include media.h before $h" "$B/check.log"; then
        pass "$h before media.h is refused with its own #error"
    else
        fail "$h before media.h is refused"; head -5 "$B/check.log" | sed 's/^/    /'
    fi
}
companion_checks opus libopus "$OPUS_CFLAGS" "$OPUS_LIBS"
companion_checks srtp libsrtp2 "$SRTP_CFLAGS" "$SRTP_LIBS"
compile_check "MEDIA_NO_SOCKETS MEDIA_NO_STDIO MEDIA_NO_SIMD" gcc -std=c99 $WARN -DMEDIA_NO_SOCKETS -DMEDIA_NO_STDIO -DMEDIA_NO_SIMD -x c tests/compile/compile_impl.c
compile_check "custom MEDIA_MALLOC/REALLOC/FREE" gcc -std=c99 $WARN -DTEST_CUSTOM_ALLOC -x c tests/compile/compile_impl.c
if gcc -std=c99 $WARN -DTEST_PARTIAL_ALLOC -I. -c tests/compile/compile_impl.c -o "$B/check.o" 2>/dev/null; then
    fail "a partial allocator override is refused"
else
    pass "a partial allocator override is refused"
fi
if gcc -std=c99 $WARN -I. -c tests/compile/compile_late_include.c -o "$B/check.o" 2>"$B/check.log"; then
    fail "a late POSIX request is explained"
elif grep -m1 'error' "$B/check.log" | grep -q 'media.h: the implementation needs POSIX'; then
    pass "a late POSIX request is explained by media.h's own #error, first"
else
    fail "a late POSIX request is explained"; head -5 "$B/check.log" | sed 's/^/    /'
fi
# every exported symbol carries the media_ prefix
if gcc -std=c99 -O2 $WARN -I. -c tests/compile/compile_only_impl.c -o "$B/impl.o" 2>/dev/null; then
    bad=$(nm -g --defined-only "$B/impl.o" | awk '{print $3}' | grep -v '^media_' || true)
    if [ -z "$bad" ]; then pass "exported symbols all start with media_"; else fail "exported symbols without media_ prefix: $bad"; fi
    n=$(nm -g --defined-only "$B/impl.o" | grep -c ' media_' || true)
    [ "$n" -gt 20 ] && pass "implementation exports the API ($n symbols)" || fail "implementation exports only $n symbols"
else
    fail "compile_impl.c for nm"
fi

section "fuzz smoke (${FUZZ_SECONDS}s each, $JOBS at a time)"
# fuzz_report NAME: the verdict on one fuzzer's run
fuzz_report() {
    if [ "$(cat "$B/$1.rc")" = 0 ]; then
        pass "$1 ran ${FUZZ_SECONDS}s clean ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/$1.out" | grep -o '[0-9]*$') inputs)"
    else
        fail "$1 found a crash"; grep -E 'ERROR|SUMMARY|Test unit' "$B/$1.out" | head -10 | sed 's/^/    /'
    fi
}
if [ $HAVE_FUZZ = 1 ]; then
    running=""
    for f in $FUZZERS; do
        if [ "$f" = fuzz_opus ] && [ -z "$OPUS_LIBS" ]; then skip "$f" "libopus-dev not installed"; continue; fi
        if [ "$f" = fuzz_srtp ] && [ -z "$SRTP_LIBS" ]; then skip "$f" "libsrtp2-dev not installed"; continue; fi
        if [ ! -x "$B/$f" ]; then fail "$f (does not compile)"; cat "$B/fuzz_impl.log" "$B/$f.log" | head -20 | sed 's/^/    /'; continue; fi
        mkdir -p "$B/corpus_$f"
        { "$B/$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -artifact_prefix="$B/" "$B/corpus_$f" fuzz/corpus/"${f#fuzz_}" \
            >"$B/$f.out" 2>&1; echo $? > "$B/$f.rc"; } &
        running="$running $f"
        if [ $(echo $running | wc -w) -ge "$JOBS" ]; then
            wait; for r in $running; do fuzz_report "$r"; done; running=""
        fi
    done
    wait; for r in $running; do fuzz_report "$r"; done
else
    skip "fuzzers" "libFuzzer runtime (libclang-rt-14-dev) not installed"
fi

echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
