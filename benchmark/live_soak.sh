#!/usr/bin/env bash
# Live soak: scapdig captures live (state on, nothing printed) for SECONDS while the load
# generator runs and a shell starts RATE short processes a second (a plain exec, and a shell
# that forks a child). At the end it prints scapdig's own summary and one line with the figures
# the soak is for: events, drops, threads created, "incomplete" threads (state made up for an
# event of a thread the state never saw start), scapdig's RSS at the start and at the end.
#
#   benchmark/live_soak.sh BUILD_DIR [SECONDS] [RATE] [WORKLOAD]
#
# SECONDS defaults to 60, RATE to 20, WORKLOAD (syscall_loadgen) to mixed. The load generator
# runs under nice 19 on a machine shared with other work: its rate then varies, which changes
# the event volume, not what is checked. Needs root and BTF.
set -euo pipefail
build=${1:?usage: live_soak.sh BUILD_DIR [SECONDS] [RATE] [WORKLOAD]}
secs=${2:-60}
rate=${3:-20}
workload=${4:-mixed}
dig=$build/tools/scapdig/scapdig
loadgen=$build/benchmark/syscall_loadgen
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

"$dig" -q "evt.type=execve and proc.name=soak-never-matches" >"$tmp/dig.out" 2>"$tmp/dig.err" &
dig=$!
pids+=("$dig")
# Wait for the capture to start (the engine's /proc snapshot is read before events flow).
sleep 3
rss_start=$(rss_kb "$dig")

nice -n 19 "$loadgen" "$workload" "$secs" >"$tmp/loadgen.out" &
loadgen_pid=$!
pids+=("$loadgen_pid")

# RATE short processes a second, half of them a shell that forks a child of its own.
mkfifo "$tmp/never"
(
    exec 3<>"$tmp/never"
    end=$((SECONDS + secs))
    n=0
    period=$(awk -v r="$rate" 'BEGIN {printf "%.3f", 1 / r}')
    while ((SECONDS < end)); do
        if ((n % 2)); then /bin/true; else /bin/sh -c 'cat /proc/self/stat >/dev/null'; fi
        n=$((n + 1))
        read -r -t "$period" -u 3 _ || true # a sleep without a process of its own
    done
    echo "$n" >"$tmp/spawned"
) &
pids+=($!)
sleep "$secs"
sleep 1
rss_end=$(rss_kb "$dig")
kill -INT "$dig"
wait "$dig" || true
wait "$loadgen_pid" || true
cat "$tmp/dig.err"
cat "$tmp/loadgen.out"
spawned=$(cat "$tmp/spawned" 2>/dev/null || echo "?")
read -r events drops created incomplete child_first < <(awk '
    /^scapdig: read / {ev = $3}
    /^scapdig: drops / {dr = $3}
    /^scapdig: state: / {
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^\(?[0-9]+$/ && $(i + 1) == "created,") cr = $i
            if ($(i + 1) ~ /^incomplete/) inc = $i
            if ($(i + 1) ~ /^child-first/) cf = $i
        }
    }
    END {gsub(/\(/, "", cr); print ev, dr, cr, inc, (cf == "" ? "?" : cf)}' "$tmp/dig.err")
echo "soak: seconds=$secs spawned=$spawned events=$events drops=$drops threads_created=$created" \
    "incomplete=$incomplete child_first=$child_first rss_start_kb=$rss_start rss_end_kb=$rss_end"
