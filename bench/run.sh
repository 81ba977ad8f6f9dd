#!/bin/sh
# make bench: builds the benchmarks at plain -O2 (the README's figures) and runs them.
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/bench
CC=${CC:-gcc}
for b in bench/bench_*.c; do
    name=$(basename "$b" .c)
    $CC -std=c99 -O2 -I. "$b" -o "build/bench/$name" -lm || exit 1
    echo "== $name ($CC -O2, $(uname -m))"
    "./build/bench/$name"
done
