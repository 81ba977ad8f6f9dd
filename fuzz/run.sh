#!/bin/sh
# make fuzz: builds each libFuzzer target (clang, ASan+UBSan) and runs it for
# FUZZ_SECONDS, starting from the seeds in fuzz/corpus/<name> and keeping what it
# finds in build/fuzz/corpus_<name>. Crashing inputs are left in build/fuzz.
set -u
cd "$(dirname "$0")/.." || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
B=build/fuzz
mkdir -p "$B"
status=0
# the implementation once, instrumented for coverage; each target links it
FZ="-std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"
clang $FZ -fsanitize=fuzzer-no-link -I. -c tests/impl.c -o "$B/impl.o" || exit 1
for f in fuzz/fuzz_*.c; do
    name=$(basename "$f" .c)
    pre="" post=""
    if [ "$name" = fuzz_opus ]; then   # needs libopus (libopus-dev)
        pre=$(pkg-config --cflags opus 2>/dev/null) post=$(pkg-config --libs opus 2>/dev/null)
        [ -z "$post" ] && { echo "== $name: no libopus, not built"; continue; }
    fi
    if [ "$name" = fuzz_srtp ]; then   # needs libsrtp2 (libsrtp2-dev)
        pre=$(pkg-config --cflags libsrtp2 2>/dev/null) post=$(pkg-config --libs libsrtp2 2>/dev/null)
        [ -z "$post" ] && { echo "== $name: no libsrtp2, not built"; continue; }
    fi
    impl="$B/impl.o"; grep -q 'define MEDIA_IMPLEMENTATION' "$f" && impl=""   # (one with its own)
    clang $FZ -fsanitize=fuzzer -I. $pre "$f" $impl -o "$B/$name" $post -lm || { status=1; continue; }
    mkdir -p "$B/corpus_$name"
    echo "== $name for ${FUZZ_SECONDS}s"
    (cd "$B" && "./$name" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 "corpus_$name" "../../fuzz/corpus/${name#fuzz_}") 2>&1 | \
        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
    [ -n "$(ls "$B"/crash-* 2>/dev/null)" ] && status=1
done
[ "$status" -eq 0 ] && echo "fuzzers clean" || echo "fuzzers FOUND PROBLEMS (see build/fuzz)"
exit $status
