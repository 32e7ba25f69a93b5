#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (+ASan/UBSan) and runs each for a bounded time,
# seeded with the real captures. Any crash fails the run.
set -euo pipefail
build=$1
seconds=${2:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAP_SANITIZE=ON -DSCAP_BUILD_FUZZERS=ON -DSCAP_BUILD_TESTS=OFF \
  -DSCAP_BUILD_BENCHMARKS=OFF >/dev/null
ninja -C "$build" fuzz_savefile fuzz_event >/dev/null

corpus=$build/corpus_savefile
rm -rf "$corpus" && mkdir -p "$corpus"
for f in "$root"/../shared/captures/*.scap; do
  gzip -dc "$f" > "$corpus/$(basename "$f")" 2>/dev/null || cp "$f" "$corpus/"
done
mkdir -p "$build/corpus_event"
for t in savefile event; do
  dir=$build/corpus_$t
  echo "fuzz_$t: ${seconds}s"
  "$build/test/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 \
    -print_final_stats=1 "$dir" > "$build/fuzz_$t.log" 2>&1 || { tail -50 "$build/fuzz_$t.log"; exit 1; }
  grep -E "stat::number_of_executed_units" "$build/fuzz_$t.log" || true
done
