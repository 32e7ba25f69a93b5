#!/usr/bin/env bash
# Live overhead measured the way the reference's exit-only proposal did: requests/s of
# redis-benchmark against a local redis-server, untraced and under each capture stage, in one run.
#
#   [REFERENCE_SCAP_OPEN=PATH] bash benchmark/redis_overhead.sh [BUILD_DIR (build/release)] [ROUNDS (3)]
#
# Stages (each round rotates their order; the medians over the rounds are reported):
#   untraced    nothing attached
#   floor       hook_floor record+enter: do-nothing programs on the driver's attach points
#               writing a minimal ring record (the kernel's own price for any driver here)
#   all         scap-open --modern_bpf -q: every syscall selected, events counted
#   rules       scapdig -q --rules <Falco's falco_rules.yaml>: only the syscalls the rules and
#               the state need are selected in the kernel; state, rule evaluation, no output
#   reference   only with REFERENCE_SCAP_OPEN: the reference's scap-open --modern_bpf, every
#               syscall selected, events counted (the counterpart of "all"; see live_common.sh)
# The fixed client command line (documented so runs compare):
#   redis-benchmark -h 127.0.0.1 -p 6390 -n 50000 -c 20 -t set,get --csv
# redis-server and redis-benchmark share the last CPU, the consumer runs on the others
# (live_common.sh); the client starts once the consumer is attached and has settled for 1 s.
# Needs root, a kernel with BTF, and Debian's redis-server/redis-tools (installed when missing).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build/release}
rounds=${2:-3}
port=6390
rules=$repo/../shared/rules/falco_rules.yaml
scapopen=$build/tools/scap-open/scap-open
scapdig=$build/tools/scapdig/scapdig
floor=$build/benchmark/hook_floor
for b in "$scapopen" "$scapdig" "$floor"; do
  [[ -x $b ]] || { echo "redis_overhead: $b missing (build $build first)" >&2; exit 1; }
done
[[ -f $rules ]] || { echo "redis_overhead: $rules missing" >&2; exit 1; }
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  apt-get install -y -q redis-server redis-tools >/dev/null
fi

source "$repo/benchmark/live_common.sh"
ncpu=$(nproc)
tmp=$(mktemp -d)
server=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"${pin_load[@]}" redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p $port ping >/dev/null || { echo "redis_overhead: redis-server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }

# bench OUT: one client run; "SET <rps>" and "GET <rps>" lines.
bench() {
  "${pin_load[@]}" redis-benchmark -h 127.0.0.1 -p $port -n 50000 -c 20 -t set,get --csv 2>/dev/null |
    awk -F'"' 'NR > 1 {print $2, $4}' >"$1"
}
# stage NAME ROUND: runs the client under the stage; consumer output in $tmp/NAME.ROUND.log.
stage() {
  local name=$1 round=$2 pid=""
  case $name in
    untraced) ;;
    floor) "${pin_consumer[@]}" "$floor" record+enter 3600 >"$tmp/$name.$round.log" 2>&1 & pid=$! ;;
    all) "${pin_consumer[@]}" "$scapopen" --modern_bpf -q >"$tmp/$name.$round.log" 2>&1 & pid=$! ;;
    rules) "${pin_consumer[@]}" "$scapdig" -q --rules "$rules" >"$tmp/$name.$round.log" 2>&1 & pid=$! ;;
    reference) "${pin_consumer[@]}" "${reference_cmd[@]}" >"$tmp/$name.$round.log" 2>&1 & pid=$! ;;
  esac
  if [[ -n $pid ]] && ! wait_attached "$pid"; then
    echo "redis_overhead: stage $name did not attach:" >&2
    cat "$tmp/$name.$round.log" >&2
    exit 1
  fi
  bench "$tmp/$name.$round.rps"
  if [[ -n $pid ]]; then
    # Ours stop on TERM (a script's background jobs start with SIGINT ignored); the reference
    # prints its statistics only on INT, for which it installs its own handler.
    if [[ $name == reference ]]; then kill -INT "$pid"; else kill -TERM "$pid"; fi
    wait "$pid" || true
  fi
}

stages=(untraced floor all rules)
[[ -z $reference ]] || stages+=(reference)
# Each round starts one stage later, so no stage always runs first (a warming server, a drifting load).
for r in $(seq "$rounds"); do
  for i in "${!stages[@]}"; do stage "${stages[$(((i + r - 1) % ${#stages[@]}))]}" "$r"; done
done

rps() { cat "$tmp/$1".*.rps | awk -v t="$2" '$1 == t {print $2}' | median; }
# events and drops of a consumer run, from scap-open's or scapdig's summary.
events_of() {
  case $1 in
    all) sed -n 's/.*events: \([0-9]*\) .*/\1/p' "$2" | tail -n1 ;;
    rules) sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$2" | tail -n1 ;;
    reference) reference_events "$2" ;;
  esac
}
drops_of() {
  case $1 in
    reference) reference_drops "$2" ;;
    *) sed -n 's/^\(scapdig: \)\{0,1\}drops:\{0,1\} \([0-9]*\).*/\2/p' "$2" | tail -n1 ;;
  esac
}

echo "redis-benchmark -n 50000 -c 20 -t set,get against redis-server on 127.0.0.1 ($(uname -r), $ncpu CPUs;"
echo "server and client on CPU $((ncpu - 1)), consumer on the others); medians of $rounds rounds"
printf '%-9s %10s %6s %10s %6s %12s %s\n' stage SET/s ratio GET/s ratio events drops
base_set=$(rps untraced SET) base_get=$(rps untraced GET)
for s in "${stages[@]}"; do
  set_r=$(rps "$s" SET) get_r=$(rps "$s" GET) ev="-" dr="-"
  if [[ $s != untraced && $s != floor ]]; then
    ev=$(for f in "$tmp/$s".*.log; do events_of "$s" "$f"; done | median)
    dr=$(for f in "$tmp/$s".*.log; do drops_of "$s" "$f"; done | paste -sd/)
  fi
  printf '%-9s %10.0f %6.2f %10.0f %6.2f %12s %s\n' "$s" "$set_r" \
    "$(awk -v a="$set_r" -v b="$base_set" 'BEGIN {print (b > 0) ? a / b : 0}')" "$get_r" \
    "$(awk -v a="$get_r" -v b="$base_get" 'BEGIN {print (b > 0) ? a / b : 0}')" "$ev" "$dr"
done
