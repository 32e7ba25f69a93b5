#!/usr/bin/env bash
# BPF time per loop iteration of one load-generator workload, per program of the modern eBPF
# driver. The loop runs pinned like live_overhead.sh while `scap-open --modern_bpf` (every
# syscall selected, BPF run-time stats on) consumes; afterwards each program's run count and run
# time are printed, with its nanoseconds per run and per loop iteration (an openat_close
# iteration is one openat and one close), and the sum over all programs per iteration.
# Tail calls are accounted to the program that made them (sys_exit_dispatch includes the table
# filler), so the sum is the driver's whole cost. Other processes' syscalls are counted too:
# on an idle machine they are a small fraction.
#
#   [SCAP_OPEN=PATH] benchmark/bpf_prog_cost.sh BUILD_DIR [SECONDS] [WORKLOAD]   (default: 3 openat_close)
#
# SCAP_OPEN: another build's scap-open (statically linked: a copy of an earlier build runs as is),
# to compare two drivers by alternating runs in one session. Needs root and a kernel with BTF.
set -euo pipefail
build=${1:?usage: bpf_prog_cost.sh BUILD_DIR [SECONDS] [WORKLOAD]}
secs=${2:-3}
workload=${3:-openat_close}
source "$(dirname "$0")/live_common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"${pin_consumer[@]}" "${SCAP_OPEN:-$build/tools/scap-open/scap-open}" --modern_bpf -s $((secs + 3)) >"$tmp/consumer.out" 2>&1 &
pid=$!
if ! wait_attached $pid; then
    echo "bpf_prog_cost: scap-open did not attach:" >&2
    cat "$tmp/consumer.out" >&2
    exit 1
fi
sleep 1
"${pin_load[@]}" "$build/benchmark/syscall_loadgen" "$workload" "$secs" >"$tmp/load.out"
wait $pid
iters=$(sed -n 's/.* iterations=\([0-9]*\) .*/\1/p' "$tmp/load.out")
sed -n 's/^prog\.\([a-z0-9_]*\)\.run_cnt: \([0-9]*\).*/\1 \2/p' "$tmp/consumer.out" | sort >"$tmp/cnt"
sed -n 's/^prog\.\([a-z0-9_]*\)\.run_time_ns: \([0-9]*\).*/\1 \2/p' "$tmp/consumer.out" | sort >"$tmp/ns"
echo "$workload: $iters iterations in ${secs} s; $(grep -m1 'drops' "$tmp/consumer.out" || true)"
join "$tmp/cnt" "$tmp/ns" | awk -v it="$iters" '
    $2 > 0 {
        printf "%-24s runs %10d  ns %12d  ns/run %6.0f  ns/iteration %6.1f\n", $1, $2, $3, $3 / $2, $3 / it
        total += $3
    }
    END { printf "%-24s ns/iteration %6.1f\n", "all programs", total / it }'
