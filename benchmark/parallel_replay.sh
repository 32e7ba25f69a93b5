#!/usr/bin/env bash
# Replay on one thread vs two (proposals/0009-parallel-replay.md): scapdig -q over the 2M-event
# reference capture, gzip and decompressed, with and without a filter, --threads 1 and 2, and raw
# libscap iteration (scap-open -q) in the same run. Medians of N runs (hyperfine) and ratios.
# usage: benchmark/parallel_replay.sh BUILD_DIR [RUNS]   (needs hyperfine and python3)
set -euo pipefail
build=${1:?usage: parallel_replay.sh BUILD_DIR [RUNS]} runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
gz=$root/../shared/captures/reference_mixed_2M.scap.gz
plain=${TMPDIR:-/tmp}/parallel_replay_reference_mixed_2M.scap
[[ -s $plain ]] || gunzip -c "$gz" >"$plain"
dig=$build/tools/scapdig/scapdig open=$build/tools/scap-open/scap-open
filter="evt.type=openat and proc.name contains load"
json=$(mktemp)
cmds=()
for f in gz plain; do
    file=${!f}
    cmds+=(-n "$f raw iteration" "$open --scap_file $file -q")
    for t in 1 2; do
        cmds+=(-n "$f threads=$t" "$dig -q -r $file --threads $t")
        cmds+=(-n "$f threads=$t filter" "$dig -q -r $file --threads $t '$filter'")
    done
done
hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" "${cmds[@]}" >/dev/null 2>&1 ||
    hyperfine --warmup 1 --runs "$runs" --export-json "$json" "${cmds[@]}" >/dev/null
python3 - "$json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] for k, v in r.items()}
events = 2000076
print(f"{'run':28} {'median s':>9} {'M ev/s':>7} {'vs threads=1':>13} {'vs raw':>7}")
for name, m in med.items():
    f = name.split()[0]
    base = med.get(name.replace("threads=2", "threads=1"), m)
    print(f"{name:28} {m:9.3f} {events / m / 1e6:7.2f} {base / m:12.2f}x {m / med[f + ' raw iteration']:6.2f}x")
PY
rm -f "$json"
