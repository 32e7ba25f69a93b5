#!/usr/bin/env bash
# Replay memory at scale, ours against the reference implementation (falcosecurity/libs): captures
# of a host with many processes (benchmark/make_process_capture, our writer), replayed by
# `scapdig -q` and by the reference's `sinsp-example -t` (perftest mode: no per-event output);
# peak RSS (/usr/bin/time %M) and wall time, median over ROUNDS interleaved rounds.
# Bytes per thread = the growth of peak RSS between the two largest shapes divided by the growth in
# threads (the fixed cost of each program cancels out).
#
#   REFERENCE_SINSP_EXAMPLE=/path/sinsp-example benchmark/memory_vs_reference.sh BUILD_DIR [ROUNDS]
#
# Shapes (processes threads fds), override with SHAPES="P:T:F ...": the issue's 20,000-process host
# plus 10,000 and 100,000 threads with the same proportions.
set -euo pipefail

die() {
    echo "memory_vs_reference: $*" >&2
    exit 1
}

build=${1:?usage: REFERENCE_SINSP_EXAMPLE=... memory_vs_reference.sh BUILD_DIR [ROUNDS]}
rounds=${2:-3}
ref=${REFERENCE_SINSP_EXAMPLE:?set REFERENCE_SINSP_EXAMPLE to the reference sinsp-example binary}
dig=$build/tools/scapdig/scapdig
make_capture=$build/benchmark/make_process_capture
timer=/usr/bin/time
shapes=${SHAPES:-"9300:10000:58000 20000:21500:125000 93000:100000:580000"}
tmp=${TMPDIR:-/tmp}

[[ -x $ref ]] || die "reference sinsp-example '$ref' is not an executable"
[[ -x $dig ]] || die "no scapdig in '$build'"
[[ -x $make_capture ]] || die "no make_process_capture in '$build' (ninja -C $build make_process_capture)"
[[ -x $timer ]] || die "$timer is missing (apt-get install time)"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for shape in $shapes; do
    IFS=: read -r p t f <<<"$shape"
    cap=$tmp/memory_vs_reference_${p}_${t}_${f}.scap
    [[ -s $cap ]] || "$make_capture" "$cap" "$p" "$t" "$f" >/dev/null || die "cannot write $cap"
done
echo "memory_vs_reference: load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= rounds; r++)); do
    for shape in $shapes; do
        IFS=: read -r p t f <<<"$shape"
        cap=$tmp/memory_vs_reference_${p}_${t}_${f}.scap
        for who in ours ref; do
            if [[ $who == ours ]]; then cmd=("$dig" -q -r "$cap"); else cmd=("$ref" -s "$cap" -t); fi
            $timer -f '%e %M' -o "$tmp/memory_vs_reference.time" "${cmd[@]}" >/dev/null 2>&1 ||
                die "'${cmd[*]}' failed"
            echo "$t|$p|$f|$who|$(cat "$tmp/memory_vs_reference.time")" >>"$results"
        done
    done
    echo "memory_vs_reference: round $r done; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    t, p, f, who, tm = line.rstrip("\n").split("|")
    s, kb = tm.split()
    runs.setdefault((int(t), int(p), int(f), who), []).append((float(s), int(kb)))
med = {k: (statistics.median(x for x, _ in v), statistics.median(y for _, y in v)) for k, v in runs.items()}
shapes = sorted({k[:3] for k in med})
print(f"{'threads':>8} {'procs':>7} {'fds':>7} {'ours MB':>8} {'ref MB':>8} {'ours/ref':>8} {'ours s':>7} {'ref s':>7}")
for t, p, f in shapes:
    o, r = med[(t, p, f, "ours")], med[(t, p, f, "ref")]
    print(f"{t:8} {p:7} {f:7} {o[1]/1024:8.1f} {r[1]/1024:8.1f} {o[1]/r[1]:7.2f}x {o[0]:7.2f} {r[0]:7.2f}")
if len(shapes) >= 2:
    (t0, p0, f0), (t1, p1, f1) = shapes[0], shapes[-1]
    for who in ("ours", "ref"):
        grow = (med[(t1, p1, f1, who)][1] - med[(t0, p0, f0, who)][1]) * 1024
        print(f"{who}: {grow / (t1 - t0):.0f} bytes of peak RSS per thread "
              f"(with its share of fds: {(f1 - f0) / (t1 - t0):.1f} per thread), {t0} -> {t1} threads")
PY
