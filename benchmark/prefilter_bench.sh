#!/usr/bin/env bash
# In-kernel pre-filtering (proposal 0011), with and without, for a few realistic filters. For each
# filter its workload (benchmark/syscall_loadgen) runs untraced, then while scapdig captures live
# with the filter (-q: matching, no printing), alternately pre-filtered and with --no-prefilter,
# ROUNDS times each. Reported per mode (medians over the rounds): events delivered to scapdig
# (its "read N events"), events the kernel pre-filtered, scapdig's CPU time (user+sys of all its
# threads, from /proc/PID/task/*/schedstat) while the loop ran, and the loop's retention (traced rate / untraced rate); then
# the same-run ratios on/off.
#
#   benchmark/prefilter_bench.sh BUILD_DIR [SECONDS] [ROUNDS] [ONLY]
#
# The filter "@rules" stands for Falco's three default rule files (scapdig --rules, from
# RULES_DIR, by default ../shared/rules beside the checkout): the rule set's pre-filter;
# "@web-rules" for benchmark/prefilter_rules.yaml at --min-priority notice (rules on reads and
# writes the driver can check). ONLY (a grep pattern) keeps the cases whose "filter|workload"
# matches it ('^@' for the rule sets alone).
#
# The load generator runs on the last CPU and scapdig on the others when there are two or more.
# Needs root and a kernel with BTF.
set -euo pipefail
build=${1:?usage: prefilter_bench.sh BUILD_DIR [SECONDS] [ROUNDS] [ONLY]}
secs=${2:-3}
rounds=${3:-3}
only=${4:-}
rules=${RULES_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/rules}
loadgen=$build/benchmark/syscall_loadgen
dig=$build/tools/scapdig/scapdig
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ncpu=$(nproc)
pin_load=() pin_consumer=()
if ((ncpu >= 2)) && command -v taskset >/dev/null; then
    pin_load=(taskset -c $((ncpu - 1)))
    pin_consumer=(taskset -c 0-$((ncpu - 2)))
fi

# filter|workload
cases=(
    "proc.name=nginx and evt.type=read|dd"
    "evt.failed=true and evt.type=openat|openat_close"
    "fd.name startswith /etc and evt.type in (open, openat)|openat_close"
    "evt.failed=true and evt.type in (read, write)|dd"
    "@rules|dd"
    "@rules|mixed"
    "@web-rules|dd"
)

rate_of() { sed -n 's/.* rate=\([0-9]*\) syscalls\/s.*/\1/p'; }
# CPU time (ns) of all of a process's threads: schedstat's run time, finer than stat's ticks.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# scapdig's arguments for a case's filter, one per line.
what_args() {
    if [[ $1 == @web-rules ]]; then
        printf '%s\n' --rules "$(dirname "${BASH_SOURCE[0]}")/prefilter_rules.yaml" --min-priority notice
    elif [[ $1 == @rules ]]; then
        for f in falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml; do
            printf '%s\n' --rules "$rules/$f"
        done
    else
        printf '%s\n' "$1"
    fi
}

# run FILTER WORKLOAD MODE: one traced run; prints "rate delivered prefiltered cpu_ms".
run() {
    local filter=$1 w=$2 mode=$3 extra=() what=()
    [[ $mode == off ]] && extra=(--no-prefilter)
    mapfile -t what < <(what_args "$filter")
    "${pin_consumer[@]}" "$dig" -q "${extra[@]}" --no-container-runtime "${what[@]}" 2>"$tmp/dig.err" &
    local pid=$!
    # Ready once it catches SIGINT: it installs the handler after loading the rules, attaching and
    # reading /proc (slow when the machine holds many processes). Before that the SIGINT below
    # would be ignored (a background job of a script inherits SIGINT ignored) and it would run on.
    for ((i = 0; i < 1200; i++)); do
        (($(printf '%d' "0x$(sed -n 's/^SigCgt:\s*//p' /proc/$pid/status 2>/dev/null || echo 0)") & 2)) && break
        sleep 0.1
    done
    sleep 1
    local c0 c1 rate
    c0=$(cpu_ns $pid)
    rate=$("${pin_load[@]}" "$loadgen" "$w" "$secs" | rate_of)
    c1=$(cpu_ns $pid)
    kill -INT $pid
    for ((i = 0; i < 50; i++)); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
    kill -0 $pid 2>/dev/null && kill -INT $pid
    wait $pid || true
    local delivered pre
    delivered=$(sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$tmp/dig.err")
    pre=$(sed -n 's/^scapdig: kernel pre-filtered \([0-9]*\) events.*/\1/p' "$tmp/dig.err")
    echo "$rate ${delivered:-0} ${pre:-0} $(((c1 - c0) / 1000000))"
}

printf '%-58s %-5s %11s %11s %11s %8s %9s\n' filter mode delivered kfiltered cpu_ms ret'n' loop/s
for c in "${cases[@]}"; do
    [[ -n $only ]] && ! grep -q -- "$only" <<<"$c" && continue
    filter=${c%|*} w=${c#*|}
    untraced=$("${pin_load[@]}" "$loadgen" "$w" "$secs" | rate_of)
    : >"$tmp/on" && : >"$tmp/off"
    for ((r = 0; r < rounds; r++)); do
        run "$filter" "$w" on >>"$tmp/on"
        run "$filter" "$w" off >>"$tmp/off"
    done
    for mode in on off; do
        rate=$(awk '{print $1}' "$tmp/$mode" | median)
        del=$(awk '{print $2}' "$tmp/$mode" | median)
        pre=$(awk '{print $3}' "$tmp/$mode" | median)
        cpu=$(awk '{print $4}' "$tmp/$mode" | median)
        ret=$(awk -v t="$rate" -v u="$untraced" 'BEGIN {printf "%.2f", (u > 0) ? t / u : 0}')
        printf '%-58s %-5s %11s %11s %11s %8s %9s\n' "$filter [$w]" "$mode" "$del" "$pre" "$cpu" "$ret" "$rate"
        eval "${mode}_del=$del ${mode}_cpu=$cpu ${mode}_rate=$rate"
    done
    awk -v a="$on_del" -v b="$off_del" -v c="$on_cpu" -v d="$off_cpu" -v e="$on_rate" -v f="$off_rate" \
        'BEGIN {printf "%-58s %-5s %11.3f %11s %11.2f %8.2f %9s\n", "", "on/off", (b > 0) ? a / b : 0, "", (d > 0) ? c / d : 0, (f > 0) ? e / f : 0, ""}'
done
