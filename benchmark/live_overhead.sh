#!/usr/bin/env bash
# Live-driver overhead. Each load generator workload runs untraced, then under the kernel's own
# floor for the driver's attach points (hook_floor: do-nothing programs), then while scap-open
# consumes every event of the modern eBPF engine (all syscalls selected, counting without
# printing). Per workload it reports the loop's syscall rate and its ratio to the untraced rate
# for each stage, the events/s delivered, drops, and the kernel time per event of the sys_exit
# programs (BPF run-time stats, taken in a separate run: the stats' own clock reads would
# otherwise be charged to the ratio).
#
#   [REFERENCE_SCAP_OPEN=PATH] [RATE=wall|cpu] benchmark/live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]
#   workloads: getpid close_bad openat_close dd mixed (default: getpid close_bad openat_close dd)
#
# Floor stages (ratios only): exit = empty sys_exit program; record = a sys_exit program writing
# a minimal timestamped 48-byte record; rec+enter = record plus one per-syscall entry
# tracepoint, the attach set the driver itself needs (its TOCTOU entry hooks).
# With REFERENCE_SCAP_OPEN (the reference's scap-open built with its modern eBPF engine, see
# live_common.sh), a "reference" stage runs right after ours for each workload: the loop's rate
# while `scap-open --modern_bpf` consumes every syscall, its ratio, events/s and drops.
# RATE=cpu takes the loop's rates over the CPU time it got (user + system, the BPF programs'
# time included) instead of the wall clock: on a machine where other work takes the loop's CPU,
# wall rates and their ratios measure the scheduler's share as much as the driver.
# Every consumer is attached (a BPF link in its fd table) and has settled for 2 s before the
# loop starts. The loop runs on the last CPU and the consumers on the others when there are two
# or more (live_common.sh). Needs root and a kernel with BTF.
set -euo pipefail
build=${1:?usage: live_overhead.sh BUILD_DIR [SECONDS] [WORKLOAD...]}
secs=${2:-3}
shift $(($# >= 2 ? 2 : $#))
workloads=("$@")
((${#workloads[@]})) || workloads=(getpid close_bad openat_close dd)
source "$(dirname "$0")/live_common.sh"
loadgen=$build/benchmark/syscall_loadgen
floor=$build/benchmark/hook_floor
scapopen=$build/tools/scap-open/scap-open
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case ${RATE:-wall} in
    wall) rate_of() { sed -n 's/.* rate=\([0-9]*\) syscalls\/s.*/\1/p'; } ;;
    cpu) rate_of() { sed -n 's/.* cpu_rate=\([0-9]*\) syscalls\/cpu-s.*/\1/p'; } ;;
    *) echo "live_overhead: RATE must be wall or cpu" >&2 && exit 1 ;;
esac
stat_of() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2" | head -1; }
ratio() { awk -v t="$1" -v u="$2" 'BEGIN {printf "%.2f", (u > 0) ? t / u : 0}'; }
per_second() { awk -v e="${1:-0}" -v s="$secs" 'BEGIN {printf "%.0f", e / s}'; }
untraced_rate() { "${pin_load[@]}" "$loadgen" "$1" "$secs" | rate_of; }
# traced_rate WORKLOAD STOP CONSUMER...: the loop's rate while CONSUMER runs (output in
# $tmp/consumer.out). STOP is "self" for a consumer that ends by itself after the loop (ours run
# for SECONDS+3), "int" for one to be stopped with SIGINT once the loop is done (the reference).
traced_rate() {
    local w=$1 stop=$2
    shift 2
    "${pin_consumer[@]}" "$@" >"$tmp/consumer.out" 2>&1 &
    local pid=$!
    if ! wait_attached $pid; then
        echo "live_overhead: $* did not attach:" >&2
        cat "$tmp/consumer.out" >&2
        exit 1
    fi
    sleep 1 # 2 s after attaching in all: our engine reads its /proc snapshot once attached
    "${pin_load[@]}" "$loadgen" "$w" "$secs" | rate_of
    [[ $stop == int ]] && kill -INT $pid
    wait $pid
}

head1=$(printf '%-13s %12s | %-17s | %12s %6s %11s %6s %9s' "" "" "floor ratios" "driver" "" "" "" "")
head2=$(printf '%-13s %12s | %5s %5s %5s | %12s %6s %11s %6s %9s' workload untraced/s exit rec rec+e \
    traced/s ratio events/s drops ns/event)
if [[ -n $reference ]]; then
    head1+=$(printf ' | %-12s %6s %11s %6s' reference "" "" "")
    head2+=$(printf ' | %12s %6s %11s %6s' traced/s ratio events/s drops)
fi
[[ ${RATE:-wall} == cpu ]] && echo "rates: syscalls per second of the loop's CPU time" ||
    echo "rates: syscalls per wall-clock second"
printf '%s\n%s\n' "$head1" "$head2"
for w in "${workloads[@]}"; do
    untraced=$(untraced_rate "$w")
    f_exit=$(traced_rate "$w" self "$floor" exit $((secs + 3)))
    f_rec=$(traced_rate "$w" self "$floor" record $((secs + 3)))
    f_both=$(traced_rate "$w" self "$floor" record+enter $((secs + 3)))
    traced=$(traced_rate "$w" self "$scapopen" --modern_bpf --no_prog_stats -s $((secs + 3)))
    events=$(sed -n 's/^events: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | tail -1)
    drops=$(sed -n 's/.* drops: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | head -1)
    row=$(printf '%-13s %12s | %5s %5s %5s | %12s %6s %11s' "$w" "$untraced" \
        "$(ratio "$f_exit" "$untraced")" "$(ratio "$f_rec" "$untraced")" "$(ratio "$f_both" "$untraced")" \
        "$traced" "$(ratio "$traced" "$untraced")" "$(per_second "$events")")
    if [[ -n $reference ]]; then
        ref=$(traced_rate "$w" int "${reference_cmd[@]}")
        ref_events=$(reference_events "$tmp/consumer.out")
        ref_drops=$(reference_drops "$tmp/consumer.out")
    fi
    # Kernel time per event, with BPF stats on: all sys_exit program time over the dispatcher's
    # runs (tail calls are accounted to the program that made them).
    traced_rate "$w" self "$scapopen" --modern_bpf -s $((secs + 3)) >/dev/null
    drops_stats=$(sed -n 's/.* drops: \([0-9]*\).*/\1/p' "$tmp/consumer.out" | head -1)
    cnt=$(stat_of prog.sys_exit_dispatch.run_cnt "$tmp/consumer.out")
    ns=$(grep -E '^prog\.sys_exit[a-z_]*\.run_time_ns:' "$tmp/consumer.out" | awk '{s += $2} END {print s + 0}')
    per=$(awk -v n="$ns" -v c="${cnt:-0}" 'BEGIN {printf "%.0f", (c > 0) ? n / c : 0}')
    row+=$(printf ' %6s %9s' "${drops:-?}+${drops_stats:-?}" "$per")
    if [[ -n $reference ]]; then
        row+=$(printf ' | %12s %6s %11s %6s' "$ref" "$(ratio "$ref" "$untraced")" \
            "$(per_second "$ref_events")" "${ref_drops:-?}")
    fi
    printf '%s\n' "$row"
done
