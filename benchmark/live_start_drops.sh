#!/usr/bin/env bash
# Drops at the start of a live capture: with N idle processes on the machine (idle_children),
# opens the modern eBPF engine with scap-open, takes one event and prints the drops the start
# (attach + /proc snapshot) cost, by cause, and how long the scan took.
#
#   benchmark/live_start_drops.sh BUILD_DIR [N] [RUNS] [SCAP_OPEN]
#
# N defaults to 5000 (this machine's pid_max is 32768, shared with other work), RUNS to 3.
# SCAP_OPEN overrides the scap-open binary (to compare with an older build). Needs root and BTF.
set -euo pipefail
build=${1:?usage: live_start_drops.sh BUILD_DIR [N] [RUNS] [SCAP_OPEN]}
n=${2:-5000}
runs=${3:-3}
scapopen=${4:-$build/tools/scap-open/scap-open}
tmp=$(mktemp -d)
kids=
cleanup() {
    [[ -n $kids ]] && kill "$kids" 2>/dev/null && wait "$kids" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/hold"
"$build/benchmark/idle_children" "$n" <"$tmp/hold" >"$tmp/kids.out" &
kids=$!
exec 3>"$tmp/hold" # keeps idle_children's stdin open
for _ in $(seq 600); do grep -q '^ready' "$tmp/kids.out" 2>/dev/null && break; sleep 0.1; done
echo "$(cat "$tmp/kids.out") idle processes; $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes on the machine"
for r in $(seq "$runs"); do
    t0=$(date +%s%N)
    "$scapopen" --modern_bpf -n 1 >"$tmp/run.out" 2>&1
    wall_ms=$((($(date +%s%N) - t0) / 1000000))
    drops=$(sed -n 's/^delivered: [0-9]*  drops: \(.*\)$/\1/p' "$tmp/run.out")
    scan_ms=$(awk '/^snapshot_duration_ns:/ {printf "%.0f", $2 / 1e6}' "$tmp/run.out")
    procs=$(awk '/^snapshot_processes:/ {print $2}' "$tmp/run.out")
    # Events other processes made during the scan, held in userspace (newer builds only).
    held=$(awk '/^start_buffer_events:/ {e = $2} /^start_buffer_peak_bytes:/ {b = $2}
        END {if (e != "") printf "; drained during the scan: %d events, %.1f MiB", e, b / 1048576}' "$tmp/run.out")
    echo "run $r: drops $drops; snapshot $procs processes in $scan_ms ms$held; open to first event and close: $wall_ms ms"
done
