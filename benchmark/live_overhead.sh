#!/usr/bin/env bash
# Live-driver overhead: each load generator workload runs untraced, then while scap-open consumes
# every event of the modern eBPF engine (all syscalls selected, counting without printing). Per
# workload it reports the loop's syscall rate both ways and their ratio, events/s delivered,
# drops, and the kernel time per event of the sys_exit programs (BPF run-time stats).
#
#   benchmark/live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]
#   workloads: getpid close_bad openat_close dd mixed (default: getpid close_bad openat_close dd)
# Needs root and a kernel with BTF.
set -euo pipefail
build=${1:?usage: live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]}
secs=${2:-3}
shift $(($# >= 2 ? 2 : $#))
workloads=("$@")
((${#workloads[@]})) || workloads=(getpid close_bad openat_close dd)
loadgen=$build/benchmark/syscall_loadgen
scapopen=$build/tools/scap-open/scap-open
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rate_of() { sed -n 's/.* rate=\([0-9]*\) syscalls\/s/\1/p'; }
stat_of() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2" | head -1; }

printf '%-13s %14s %14s %7s %12s %8s %10s\n' workload untraced/s traced/s ratio events/s drops ns/event
for w in "${workloads[@]}"; do
    untraced=$("$loadgen" "$w" "$secs" | rate_of)
    "$scapopen" --modern_bpf -s $((secs + 3)) >"$tmp/so.out" 2>&1 &
    so=$!
    sleep 2  # load, attach, /proc snapshot
    traced=$("$loadgen" "$w" "$secs" | rate_of)
    wait $so
    events=$(sed -n 's/.*events\/s: \([0-9]*\).*/\1/p' "$tmp/so.out" | tail -1)
    drops=$(sed -n 's/.*drops: \([0-9]*\).*/\1/p' "$tmp/so.out" | head -1)
    # Kernel time per event: all sys_exit program time over the dispatcher's runs (tail calls
    # are accounted to the program that made them).
    cnt=$(stat_of prog.sys_exit_dispatch.run_cnt "$tmp/so.out")
    ns=$(grep -E '^prog\.sys_exit[a-z_]*\.run_time_ns:' "$tmp/so.out" | awk '{s += $2} END {print s + 0}')
    per=$(awk -v n="$ns" -v c="${cnt:-0}" 'BEGIN {printf "%.0f", (c > 0) ? n / c : 0}')
    ratio=$(awk -v t="$traced" -v u="$untraced" 'BEGIN {printf "%.2f", (u > 0) ? t / u : 0}')
    printf '%-13s %14s %14s %7s %12s %8s %10s\n' "$w" "$untraced" "$traced" "$ratio" "${events:-?}" "${drops:-?}" "$per"
done
