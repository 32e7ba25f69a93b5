#!/usr/bin/env bash
# Live-driver overhead. Each load generator workload runs untraced, then under the kernel's own
# floor for the driver's attach points (hook_floor: do-nothing programs), then while scap-open
# consumes every event of the modern eBPF engine (all syscalls selected, counting without
# printing). Per workload it reports the loop's syscall rate and its ratio to the untraced rate
# for each stage, the events/s delivered, drops, and the kernel time per event of the sys_exit
# programs (BPF run-time stats, taken in a separate run: the stats' own clock reads would
# otherwise be charged to the ratio).
#
#   benchmark/live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]
#   workloads: getpid close_bad openat_close dd mixed (default: getpid close_bad openat_close dd)
#
# Floor stages (ratios only): exit = empty sys_exit program; record = a sys_exit program writing
# a minimal timestamped 48-byte record; rec+enter = record plus one per-syscall entry
# tracepoint, the attach set the driver itself needs (its TOCTOU entry hooks).
# The load generator runs on the last CPU and the consumers on the others when there are two or
# more, so a figure does not depend on where the scheduler put them.
# Needs root and a kernel with BTF.
set -euo pipefail
build=${1:?usage: live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]}
secs=${2:-3}
shift $(($# >= 2 ? 2 : $#))
workloads=("$@")
((${#workloads[@]})) || workloads=(getpid close_bad openat_close dd)
loadgen=$build/benchmark/syscall_loadgen
floor=$build/benchmark/hook_floor
scapopen=$build/tools/scap-open/scap-open
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ncpu=$(nproc)
pin_load=() pin_consumer=()
if ((ncpu >= 2)) && command -v taskset >/dev/null; then
    pin_load=(taskset -c $((ncpu - 1)))
    pin_consumer=(taskset -c 0-$((ncpu - 2)))
fi

rate_of() { sed -n 's/.* rate=\([0-9]*\) syscalls\/s/\1/p'; }
stat_of() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2" | head -1; }
ratio() { awk -v t="$1" -v u="$2" 'BEGIN {printf "%.2f", (u > 0) ? t / u : 0}'; }
untraced_rate() { "${pin_load[@]}" "$loadgen" "$1" "$secs" | rate_of; }
# traced_rate WORKLOAD CONSUMER...: the loop's rate while CONSUMER runs (it must outlive the loop).
traced_rate() {
    local w=$1
    shift
    "${pin_consumer[@]}" "$@" >"$tmp/consumer.out" 2>&1 &
    local pid=$!
    sleep 2 # load, attach (and the driver's /proc snapshot)
    "${pin_load[@]}" "$loadgen" "$w" "$secs" | rate_of
    wait $pid
}

printf '%-13s %12s | %-17s | %12s %6s %11s %6s %9s\n' "" "" "floor ratios" "driver" "" "" "" ""
printf '%-13s %12s | %5s %5s %5s | %12s %6s %11s %6s %9s\n' workload untraced/s exit rec rec+e \
    traced/s ratio events/s drops ns/event
for w in "${workloads[@]}"; do
    untraced=$(untraced_rate "$w")
    f_exit=$(traced_rate "$w" "$floor" exit $((secs + 3)))
    f_rec=$(traced_rate "$w" "$floor" record $((secs + 3)))
    f_both=$(traced_rate "$w" "$floor" record+enter $((secs + 3)))
    traced=$(traced_rate "$w" "$scapopen" --modern_bpf --no_prog_stats -s $((secs + 3)))
    events=$(sed -n 's/^events: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | tail -1)
    drops=$(sed -n 's/.* drops: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | head -1)
    evps=$(awk -v e="${events:-0}" -v s="$secs" 'BEGIN {printf "%.0f", e / s}')
    # Kernel time per event, with BPF stats on: all sys_exit program time over the dispatcher's
    # runs (tail calls are accounted to the program that made them).
    traced_rate "$w" "$scapopen" --modern_bpf -s $((secs + 3)) >/dev/null
    drops_stats=$(sed -n 's/.* drops: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | head -1)
    cnt=$(stat_of prog.sys_exit_dispatch.run_cnt "$tmp/consumer.out")
    ns=$(grep -E '^prog\.sys_exit[a-z_]*\.run_time_ns:' "$tmp/consumer.out" | awk '{s += $2} END {print s + 0}')
    per=$(awk -v n="$ns" -v c="${cnt:-0}" 'BEGIN {printf "%.0f", (c > 0) ? n / c : 0}')
    printf '%-13s %12s | %5s %5s %5s | %12s %6s %11s %6s %9s\n' "$w" "$untraced" \
        "$(ratio "$f_exit" "$untraced")" "$(ratio "$f_rec" "$untraced")" "$(ratio "$f_both" "$untraced")" \
        "$traced" "$(ratio "$traced" "$untraced")" "$evps" "${drops:-?}+${drops_stats:-?}" "$per"
done
