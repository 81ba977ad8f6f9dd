#!/bin/sh
# make bench: builds the benchmarks at plain -O2 with gcc and with clang (the
# README's figures) and runs them. Figures only; nothing here passes or fails.
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/bench
# jitter_eval sets the playout policy before the playout work (git f0c6833)
# beside this one: that media.h comes from the repository's history
OLD=f0c6833
git show "$OLD:media.h" >build/bench/media_old.h 2>/dev/null || { echo "jitter_eval needs git history (commit $OLD): a clone, not an export"; exit 2; }
for cc in ${CC:-gcc clang}; do
    command -v "$cc" >/dev/null 2>&1 || { echo "(no $cc: skipped)"; continue; }
    for b in bench/bench_*.c bench/jitter_eval.c; do
        name=$(basename "$b" .c)
        pre="" post=""
        if [ "$name" = bench_opus ]; then
            pre=$(pkg-config --cflags opus 2>/dev/null || echo -DMEDIA_OPUS_NO_LIBOPUS) post=$(pkg-config --libs opus 2>/dev/null)
        fi
        if [ "$name" = bench_srtp ] || [ "$name" = bench_sessions ]; then
            pre=$(pkg-config --cflags libsrtp2 2>/dev/null || echo -DMEDIA_SRTP_NO_LIBSRTP) post=$(pkg-config --libs libsrtp2 2>/dev/null)
        fi
        if [ "$name" = bench_dtmf ] && [ -f /usr/include/spandsp/dtmf.h ]; then   # spandsp's detector beside ours
            pre="-DHAVE_SPANDSP" post="-lspandsp"
        fi
        if [ "$name" = jitter_eval ]; then
            "$cc" -std=c99 -O2 -I. -DJP_HEADER='"media.h"' -DJP_NAME=je_run_new -c bench/jitter_policy.c -o "build/bench/jp_new.$cc.o" &&
            "$cc" -std=c99 -O2 -Ibuild/bench -DJP_HEADER='"media_old.h"' -DJP_NAME=je_run_old -c bench/jitter_policy.c -o "build/bench/jp_old.$cc.o" || exit 1
            post="build/bench/jp_new.$cc.o build/bench/jp_old.$cc.o"
        fi
        "$cc" -std=c99 -O2 -I. $pre "$b" -o "build/bench/$name.$cc" $post -lm || exit 1
        echo "== $name ($cc $("$cc" -dumpversion) -O2, $(uname -m))"
        "./build/bench/$name.$cc"
        if [ "$name" = bench_sessions ]; then   # the same 1000 calls, every one through SRTP
            echo "== $name, SRTP ($cc)"
            "./build/bench/$name.$cc" 3 1000 s 3 srtp
        fi
    done
done
