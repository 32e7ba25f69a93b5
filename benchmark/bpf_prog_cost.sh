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
# to compare two drivers by alternating runs in one session. REFERENCE_SCAP_OPEN (see
# live_common.sh): afterwards the same loop under the reference's `scap-open --modern_bpf`, its
# programs' time taken from the kernel's BPF statistics (kernel.bpf_stats_enabled on for the
# loop only; its programs are the ones that appeared when it started). Needs root, a kernel with
# BTF, bpftool and jq for the reference.
set -euo pipefail
build=${1:?usage: bpf_prog_cost.sh BUILD_DIR [SECONDS] [WORKLOAD]}
secs=${2:-3}
workload=${3:-openat_close}
source "$(dirname "$0")/live_common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# start_consumer WHO OUT CMD...: runs CMD pinned, output to OUT, and waits until it is attached and
# has settled for a second; sets pid.
start_consumer() {
    local who=$1 out=$2
    shift 2
    "${pin_consumer[@]}" "$@" >"$out" 2>&1 &
    pid=$!
    if ! wait_attached $pid; then
        echo "bpf_prog_cost: $who did not attach:" >&2
        cat "$out" >&2
        exit 1
    fi
    sleep 1
}

start_consumer scap-open "$tmp/consumer.out" "${SCAP_OPEN:-$build/tools/scap-open/scap-open}" --modern_bpf -s $((secs + 3))
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

[[ -n $reference ]] || exit 0
prog_stats() { bpftool prog show -j | jq -r '.[] | "\(.id) \(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' | sort; }
bpftool prog show -j | jq -r '.[].id' | sort >"$tmp/ids.before"
start_consumer "the reference" "$tmp/reference.out" "${reference_cmd[@]}"
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
prog_stats >"$tmp/ref0"
"${pin_load[@]}" "$build/benchmark/syscall_loadgen" "$workload" "$secs" >"$tmp/load.out"
prog_stats >"$tmp/ref1"
sysctl -qw kernel.bpf_stats_enabled="$stats_was"
kill -INT $pid
wait $pid || true
iters=$(sed -n 's/.* iterations=\([0-9]*\) .*/\1/p' "$tmp/load.out")
echo "reference, $workload: $iters iterations in ${secs} s; drops $(reference_drops "$tmp/reference.out")"
# Programs that appeared with the reference: their run count and time over the loop.
join "$tmp/ref0" "$tmp/ref1" | sort | join -v1 - "$tmp/ids.before" | awk -v it="$iters" '
    { runs = $6 - $3; ns = $7 - $4 }
    runs > 0 {
        printf "%-24s runs %10d  ns %12d  ns/run %6.0f  ns/iteration %6.1f\n", $2, runs, ns, ns / runs, ns / it
        total += ns
    }
    END { printf "%-24s ns/iteration %6.1f\n", "all programs", total / it }'
