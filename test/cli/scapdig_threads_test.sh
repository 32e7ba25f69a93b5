#!/usr/bin/env bash
# scapdig --threads 2 (reading on a second thread) prints exactly what --threads 1 prints, on every
# shared capture: the default line, a filter, JSON and -w; -n stops early without hanging.
# usage: scapdig_threads_test.sh SCAPDIG CAPTURES_DIR TMPDIR
set -uo pipefail
dig=$1 caps=$2 tmp=$3
mkdir -p "$tmp"
failures=0 passed=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
# Digest and line count of one run's output; the summary (stderr) carries timings: left out.
run() {
    "$@" >"$tmp/out" 2>/dev/null
    local rc=$?
    echo "$(md5sum <"$tmp/out" | cut -d' ' -f1) $(wc -l <"$tmp/out") lines, exit $rc"
    rm -f "$tmp/out"
}

shopt -s nullglob
files=("$caps"/*.scap "$caps"/*.scap.gz)
check "captures found" "1" "$([[ ${#files[@]} -ge 10 ]] && echo 1 || echo 0)"
filter="evt.type=openat and proc.name contains load"
for f in "${files[@]}"; do
    name=$(basename "$f")
    one=$(run "$dig" -r "$f" --threads 1)
    two=$(run "$dig" -r "$f" --threads 2)
    check "$name: default lines" "$one" "$two"
    [[ "$name" == falco_empty.scap ]] || check "$name: not empty" "1" "$([[ "$one" != *" 0 lines"* ]] && echo 1 || echo 0)"
    one=$(run "$dig" -r "$f" --threads 1 -j "$filter")
    two=$(run "$dig" -r "$f" --threads 2 -j "$filter")
    check "$name: -j with a filter" "$one" "$two"
done

# -w: the written captures are identical byte for byte.
f="$caps/libs_curl_google.scap"
"$dig" -r "$f" --threads 1 -q -w "$tmp/one.scap" "proc.name=curl" 2>/dev/null
"$dig" -r "$f" --threads 2 -q -w "$tmp/two.scap" "proc.name=curl" 2>/dev/null
check "-w: same capture" "$(md5sum <"$tmp/one.scap")" "$(md5sum <"$tmp/two.scap")"

# -n stops while the reading thread is ahead: exactly N lines, exit 0, within the time box.
out=$(timeout 60 "$dig" -r "$caps/reference_mixed_2M.scap.gz" --threads 2 -n 1000 -p "%evt.num" 2>/dev/null)
rc=$?
check "-n 1000 early stop: exit code" "0" "$rc"
check "-n 1000 early stop: last line" "1000" "$(echo "$out" | tail -1)"

# A bad thread count is refused with a clear message.
err=$("$dig" -r "$f" --threads 0 2>&1 >/dev/null)
check "--threads 0 refused" "scapdig: --threads needs a number from 1 to 64, got '0'" "$(echo "$err" | head -1)"

# --cpu N pins the event loop to CPU N and the reading threads to the other CPUs: same output,
# and a CPU the process may not use is refused.
last_cpu=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | tail -1 | sed 's/.*-//')
for threads in 1 2; do
    one=$(run "$dig" -r "$f" --threads $threads -j "$filter")
    pinned=$(run "$dig" -r "$f" --threads $threads --cpu "$last_cpu" -j "$filter")
    check "--cpu $last_cpu --threads $threads: same output" "$one" "$pinned"
done
err=$("$dig" -r "$f" --cpu 4095 2>&1 >/dev/null)
rc=$?
check "--cpu 4095 refused: exit code" "2" "$rc"
check "--cpu 4095 refused: message" "1" "$([[ "$err" == "scapdig: --cpu 4095: not a CPU this process may run on"* ]] && echo 1 || echo 0)"

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
