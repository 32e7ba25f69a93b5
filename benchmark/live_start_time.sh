#!/usr/bin/env bash
# Start time of a live capture with N idle processes (idle_children), two builds alternated in
# the same session: after one uncounted run of each, each round runs BEFORE then AFTER once.
# Per run it prints the time from the invocation to the first event, to its exit, the CPU it
# used, the scan's own duration and the drops; then the medians and the load average before
# and after.
#
# The first event is timed by the stop that follows it (-n 1): the program's first
# PERF_EVENT_IOC_DISABLE ioctl, seen by the syscalls:sys_enter_ioctl tracepoint in a tracefs
# instance of its own (monotonic clock, filtered on that ioctl), against a trace_marker written
# just before the program starts. No ptrace: strace -f slowed a scan whose threads use a private
# fd table several times over, which would have measured strace.
#
#   benchmark/live_start_time.sh IDLE_CHILDREN N ROUNDS BEFORE AFTER [ARGS...]
#
# BEFORE and AFTER are scap-open (or scapdig) binaries; ARGS default to "--modern_bpf -n 1"
# (for scapdig: "-n 1 -q"). Needs root, BTF and tracefs. The idle processes are killed at the end
# (and on any exit of this script).
set -euo pipefail
idle=${1:?usage: live_start_time.sh IDLE_CHILDREN N ROUNDS BEFORE AFTER [ARGS...]}
n=${2:?}
rounds=${3:?}
before=${4:?}
after=${5:?}
shift 5
args=("$@")
((${#args[@]})) || args=(--modern_bpf -n 1)
tmp=$(mktemp -d)
kids=
tracing=/sys/kernel/tracing
[[ -d $tracing/events/syscalls ]] || mount -t tracefs nodev "$tracing"
inst=$tracing/instances/live_start_time.$$
cleanup() {
    [[ -n $kids ]] && kill "$kids" 2>/dev/null && wait "$kids" 2>/dev/null
    if [[ -d $inst ]]; then
        echo 0 >"$inst/events/syscalls/sys_enter_ioctl/enable"
        rmdir "$inst"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$inst"
echo mono >"$inst/trace_clock"
echo 'cmd == 0x2401' >"$inst/events/syscalls/sys_enter_ioctl/filter" # PERF_EVENT_IOC_DISABLE
echo 1 >"$inst/events/syscalls/sys_enter_ioctl/enable"

mkfifo "$tmp/hold"
"$idle" "$n" <"$tmp/hold" >"$tmp/kids.out" &
kids=$!
exec 3>"$tmp/hold" # keeps idle_children's stdin open
for _ in $(seq 3000); do grep -q '^ready' "$tmp/kids.out" 2>/dev/null && break; sleep 0.1; done
echo "$(cat "$tmp/kids.out") idle processes; $(ls -d /proc/[0-9]* | wc -l) processes on the machine"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # NAME BIN
    local t0 first wall cpu scan drops
    echo >"$inst/trace"
    echo live_start_time >"$inst/trace_marker"
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$2" "${args[@]}" >"$tmp/run.out" 2>&1
    wall=$((($(date +%s%N) - t0) / 1000000))
    # Lines: "comm-pid [cpu] flags TIMESTAMP: event"; the marker's line comes first.
    first=$(grep -v '^#' "$inst/trace" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) {t = $i + 0; break}}
        /live_start_time/ && m == "" {m = t; next} /sys_ioctl/ && m != "" {printf "%.0f", (t - m) * 1000; exit}')
    cpu=$(awk '{printf "%.2f", $1 + $2}' "$tmp/cpu")
    scan=$(awk '/^snapshot_duration_ns:/ {printf "%.0f", $2 / 1e6}' "$tmp/run.out")
    drops=$(sed -n 's/^delivered: [0-9]*  drops: \([0-9]*\).*$/\1/p' "$tmp/run.out")
    echo "$1 first_event_ms ${first:--} exit_ms $wall cpu_s $cpu scan_ms ${scan:--} drops ${drops:--} load $(cut -d' ' -f1 /proc/loadavg)"
}
# The first scan after the processes were made creates their procfs inodes and dentries, which
# later scans find cached: one run of each build, not counted, so no build pays for that.
run warmup "$before" >/dev/null
run warmup "$after" >/dev/null
for r in $(seq "$rounds"); do
    run before "$before"
    run after "$after"
done | tee "$tmp/runs"
for b in before after; do
    for col in first_event_ms exit_ms cpu_s scan_ms; do
        m=$(awk -v b="$b" -v c="$col" '$1 == b {for (i = 2; i < NF; i += 2) if ($i == c && $(i + 1) != "-") print $(i + 1)}' "$tmp/runs" |
            sort -n | awk '{v[NR] = $1} END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "-"}')
        printf '%s median %s %s  ' "$b" "$col" "$m"
    done
    echo
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
