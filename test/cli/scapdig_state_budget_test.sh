#!/usr/bin/env bash
# scapdig --max-state-mb (the state budget, proposal 0012): on a shared capture it finishes, prints
# the state memory line and changes nothing when the state fits; on a made-up host with many
# processes it evicts, counts it, and the peak estimate stays within the budget; without the flag
# nothing is evicted.
# usage: scapdig_state_budget_test.sh SCAPDIG MAKE_PROCESS_CAPTURE CAPTURES_DIR TMPDIR
set -uo pipefail
dig=$1 make_capture=$2 caps=$3 tmp=$4
mkdir -p "$tmp"
failures=0 passed=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

# The summary's state memory line, and one figure from it.
memory_line() { grep '^scapdig: state memory:' "$1"; }
evicted_threads() { memory_line "$1" | sed -E 's/.*evicted for the budget: ([0-9]+) threads.*/\1/'; }
evicted_fds() { memory_line "$1" | sed -E 's/.*threads, ([0-9]+) fds.*/\1/'; }
peak_mib() { memory_line "$1" | sed -E 's/.*peak ([0-9.]+) MiB.*/\1/'; }

# A shared capture whose state fits in 1 MiB: same events printed, the line says the budget.
f="$caps/reference_mixed_2M.scap.gz"
timeout 300 "$dig" -q -r "$f" --max-state-mb 1 2>"$tmp/err" >/dev/null
check "shared capture with a budget: exit 0" "0" "$?"
check "shared capture: the line names the budget" "1" \
    "$(memory_line "$tmp/err" | grep -c 'budget 1.0 MiB')"
check "shared capture: a peak is reported" "1" "$(awk -v p="$(peak_mib "$tmp/err")" 'BEGIN{print (p > 0) ? 1 : 0}')"
one=$("$dig" -r "$caps/falco_cat_write.scap" 2>/dev/null | md5sum)
two=$("$dig" -r "$caps/falco_cat_write.scap" --max-state-mb 1 2>/dev/null | md5sum)
check "a budget the state fits in changes no output" "$one" "$two"

# A host of 20,000 processes: far over 4 MiB of state.
cap=$tmp/host.scap
"$make_capture" "$cap" 20000 21500 60000 >/dev/null || { echo "FAIL cannot write $cap"; exit 1; }
timeout 300 "$dig" -q -r "$cap" 2>"$tmp/free" >/dev/null
check "no budget: exit 0" "0" "$?"
check "no budget: the line says so" "1" "$(memory_line "$tmp/free" | grep -c 'budget none')"
check "no budget: nothing evicted" "0 0" "$(evicted_threads "$tmp/free") $(evicted_fds "$tmp/free")"
check "no budget: the state is over 4 MiB" "1" "$(awk -v p="$(peak_mib "$tmp/free")" 'BEGIN{print (p > 4) ? 1 : 0}')"
timeout 300 "$dig" -q -r "$cap" --max-state-mb 4 2>"$tmp/bounded" >/dev/null
check "budget: exit 0" "0" "$?"
check "budget: threads evicted" "1" "$([[ $(evicted_threads "$tmp/bounded") -gt 1000 ]] && echo 1 || echo 0)"
check "budget: fds evicted" "1" "$([[ $(evicted_fds "$tmp/bounded") -gt 1000 ]] && echo 1 || echo 0)"
check "budget: the peak estimate is within it" "1" \
    "$(awk -v p="$(peak_mib "$tmp/bounded")" 'BEGIN{print (p <= 4.0) ? 1 : 0}')"
# The same events are read either way.
check "budget: same events read" "$(grep -o 'read [0-9]* events' "$tmp/free")" \
    "$(grep -o 'read [0-9]* events' "$tmp/bounded")"
rm -f "$cap"

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
