#!/bin/sh
# make bench: builds the benchmarks at plain -O2 with gcc and with clang (the
# README's figures) and runs them. Figures only; nothing here passes or fails.
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/bench
for cc in ${CC:-gcc clang}; do
    command -v "$cc" >/dev/null 2>&1 || { echo "(no $cc: skipped)"; continue; }
    for b in bench/bench_*.c bench/jitter_eval.c; do
        name=$(basename "$b" .c)
        pre="" post=""
        if [ "$name" = bench_opus ]; then
            pre=$(pkg-config --cflags opus 2>/dev/null || echo -DMEDIA_OPUS_NO_LIBOPUS) post=$(pkg-config --libs opus 2>/dev/null)
        fi
        "$cc" -std=c99 -O2 -I. $pre "$b" -o "build/bench/$name.$cc" $post -lm || exit 1
        echo "== $name ($cc $("$cc" -dumpversion) -O2, $(uname -m))"
        "./build/bench/$name.$cc"
    done
done
