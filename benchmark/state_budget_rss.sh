#!/usr/bin/env bash
# Peak RSS of `scapdig -q` replaying large made-up captures (benchmark/make_process_capture) with
# and without a state budget (--max-state-mb, proposal 0012), beside the state's own estimate
# (final and peak, from the summary line). For the estimate against the heap actually used, see
# benchmark/state_memory_bench.
#
#   benchmark/state_budget_rss.sh BUILD_DIR [ROUNDS] [BUDGETS_MB]
#
# Captures (processes threads fds): the host as a snapshot (what the state loads first), and the
# same host appearing as events after the capture started (clone, execve, openat: the state grows
# with the events). Peak RSS (/usr/bin/time %M) and wall time are medians over ROUNDS
# interleaved rounds.
set -euo pipefail

die() {
    echo "state_budget_rss: $*" >&2
    exit 1
}

build=${1:?usage: state_budget_rss.sh BUILD_DIR [ROUNDS] [BUDGETS_MB]}
rounds=${2:-3}
budgets=${3:-"none 64 16"}
dig=$build/tools/scapdig/scapdig
make_capture=$build/benchmark/make_process_capture
timer=/usr/bin/time
shape=${SHAPE:-"93000:100000:580000"}
tmp=${TMPDIR:-/tmp}

[[ -x $dig ]] || die "no scapdig in '$build'"
[[ -x $make_capture ]] || die "no make_process_capture in '$build'"
[[ -x $timer ]] || die "$timer is missing (apt-get install time)"

IFS=: read -r p t f <<<"$shape"
caps=()
for mode in snapshot events; do
    cap=$tmp/state_budget_${mode}_${p}_${t}_${f}.scap
    extra=()
    [[ $mode == events ]] && extra=(events)
    [[ -s $cap ]] || "$make_capture" "$cap" "$p" "$t" "$f" "${extra[@]}" >&2 || die "cannot write $cap"
    caps+=("$cap")
done

results=$(mktemp)
trap 'rm -f "$results" "$tmp/state_budget.time" "$tmp/state_budget.err"' EXIT
echo "state_budget_rss: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= rounds; r++)); do
    for cap in "${caps[@]}"; do
        for b in $budgets; do
            cmd=("$dig" -q -r "$cap")
            [[ $b == none ]] || cmd+=(--max-state-mb "$b")
            $timer -f '%e %M' -o "$tmp/state_budget.time" "${cmd[@]}" >/dev/null 2>"$tmp/state_budget.err" ||
                die "'${cmd[*]}' failed"
            line=$(grep '^scapdig: state memory:' "$tmp/state_budget.err" | sed 's/^scapdig: state memory: //')
            echo "$(basename "$cap")|$b|$(cat "$tmp/state_budget.time")|$line" >>"$results"
        done
    done
    echo "state_budget_rss: round $r done; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    cap, budget, tm, state = line.rstrip("\n").split("|")
    wall, rss = tm.split()
    runs.setdefault((cap, budget), []).append((float(wall), int(rss), state))
print("| capture | budget (MiB) | peak RSS median (MB) | wall median (s) | state line (last run) |")
print("|---|---|---|---|---|")
for (cap, budget), v in runs.items():
    print(f"| {cap} | {budget} | {statistics.median(x[1] for x in v) / 1024:.1f} | "
          f"{statistics.median(x[0] for x in v):.2f} | {v[-1][2]} |")
PY
