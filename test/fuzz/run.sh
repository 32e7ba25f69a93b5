#!/usr/bin/env bash
# Builds the fuzz configuration (clang; libscap and libsinsp instrumented for coverage, ASan +
# UBSan) and runs every libFuzzer target for SECONDS, JOBS at a time. First each target replays
# its regression inputs (test/fuzz/regressions/TARGET/). Seeds: the small ones of our own making
# in test/fuzz/corpus/, plus seeds cut at run time from ../shared/captures and the conditions of
# ../shared/rules (never committed). Fails on any crash, leak, sanitizer report, timeout or OOM;
# prints the coverage each target reached.
#   test/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]      (FUZZ_JOBS=2 by default)
set -euo pipefail
build=$1
seconds=${2:-30}
shift $(($# > 1 ? 2 : 1))
jobs=${FUZZ_JOBS:-2}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$root/../shared
[ -d "$shared/captures" ] || shared=$root/../../shared
all_targets=(savefile event converter sinsp_replay filter proc_text proc_tree ring rules gzip)
targets=("${@:-${all_targets[@]}}")
[ $# -gt 0 ] || targets=("${all_targets[@]}")

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAP_BUILD_FUZZERS=ON -DSCAP_BUILD_TESTS=OFF \
  -DSCAP_BUILD_BENCHMARKS=OFF -DSCAP_BUILD_MODERN_BPF=OFF >/dev/null
ninja -C "$build" fuzzers >/dev/null
bin=$build/test/fuzz

# Seeds, rebuilt on every run.
seeds=$build/fuzz-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
for t in "${all_targets[@]}"; do
  mkdir -p "$seeds/$t"
  [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t"/* "$seeds/$t/"
done
for f in "$shared"/captures/*.scap "$shared"/captures/*.scap.gz; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .gz)
  if [ "$(stat -c %s "$f")" -gt 1000000 ]; then
    # The first 256 KiB of a big capture: its snapshot and the first events (a truncated file).
    { gzip -dc "$f" 2>/dev/null || cat "$f"; } | head -c 262144 > "$seeds/savefile/head_$name" || true
  else
    gzip -dc "$f" > "$seeds/savefile/$name" 2>/dev/null || cp "$f" "$seeds/savefile/$name"
  fi
  "$bin/seed_cutter" "$f" "$seeds" >/dev/null
  # The gzip target starts from small compressed files as stored (most shared captures are gzip).
  if [ "$(stat -c %s "$f")" -le 100000 ]; then cp "$f" "$seeds/gzip/raw_$(basename "$f")"; fi
done
cp "$root"/test/rules/*.yaml "$shared"/rules/*.yaml "$seeds/rules/"
/usr/bin/python3 "$here/rule_conditions.py" "$seeds/filter" "$shared"/rules/*.yaml >/dev/null
# This machine's own /proc for the tree reader, as a tree description (see fuzz_proc_tree.cpp).
{
  for f in stat cgroups sys/kernel/hostname sys/kernel/pid_max; do printf '>proc/%s\n' "$f"; cat "/proc/$f"; done
  for f in stat status cmdline limits cgroup net/tcp net/udp6 net/unix; do
    printf '>proc/1/%s\n' "$f"; tr -d '\000' < "/proc/1/$f" | head -c 4000; echo
  done
  printf '>proc/1/exe -> %s\n>proc/1/fd/0 -> /dev/null\n' "$(readlink /proc/1/exe)"
} > "$seeds/proc_tree/this_machine" 2>/dev/null || true
export SCAP_FUZZ_CAPTURE=$seeds/savefile/falco_cat_write.scap  # decompressed above

# A finding is any non-zero exit (crash, leak, timeout, OOM) or any sanitizer report in the log.
run_target() {
  local t=$1 log=$build/fuzz_$1.log work=$build/fuzz-corpus/$1
  rm -rf "$work" && mkdir -p "$work"
  local regress=() rc=0
  [ -d "$here/regressions/$t" ] && mapfile -t regress < <(find "$here/regressions/$t" -type f)
  if [ ${#regress[@]} -gt 0 ]; then
    "$bin/fuzz_$t" -timeout=25 "${regress[@]}" > "$build/fuzz_${t}_regressions.log" 2>&1 || rc=$?
    if [ $rc -ne 0 ] || grep -qE "ERROR: |runtime error:" "$build/fuzz_${t}_regressions.log"; then
      echo "fuzz_$t: a regression input fails:"; tail -40 "$build/fuzz_${t}_regressions.log"; return 1
    fi
  fi
  local max_len=()
  [ "$t" = savefile ] && max_len=(-max_len=300000)
  TMPDIR=$work "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 "${max_len[@]}" \
    -print_final_stats=1 -artifact_prefix="$build/crash_${t}_" "$work" "$seeds/$t" > "$log" 2>&1 || rc=$?
  local last execs
  last=$(grep -E "^#[0-9]+" "$log" | tail -1 | sed -E 's/^#([0-9]+)\s+\w+\s+//; s/ rss:.*//' || true)
  execs=$(sed -n 's/stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz_$t: ${seconds}s, ${#regress[@]} regression inputs, $execs execs, $last"
  if [ $rc -ne 0 ] || grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|ERROR: libFuzzer" "$log"; then
    echo "fuzz_$t: FAILED (exit $rc), log $log:"; grep -E -A30 "ERROR|runtime error" "$log" | head -60; return 1
  fi
}

failed=0
pids=() names=()
for t in "${targets[@]}"; do
  run_target "$t" & pids+=($!) names+=("$t")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
for i in "${!pids[@]}"; do wait "${pids[$i]}" || { failed=1; echo "fuzz_${names[$i]} failed"; }; done
[ $failed -eq 0 ] || exit 1
echo "fuzzers: ${#targets[@]} targets, ${seconds}s each, no findings"
