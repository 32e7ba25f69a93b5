#!/usr/bin/env bash
# scapdig live: capture with the modern eBPF engine while a marked shell runs commands, print the
# matching events and write them with -w; then replay the written capture and require the very
# same lines (state-derived fields included), and the commands' known values in them.
# usage: scapdig_live_test.sh SCAPDIG TMPDIR       (exit 77 = skipped: no root or no BTF)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
dig=$1 tmp=$2
skip_unless_live
mkdir -p "$tmp"
rm -f "$tmp"/live.* "$tmp"/replay.*
# A shell under a name of its own: the filter picks it and its children, and cannot match
# scapdig itself (whose command line holds the filter text).
shell="mkrsh$$"
cp /bin/sh "$tmp/$shell"
fmt="%evt.type %proc.name %proc.cmdline %proc.pname %fd.name %evt.res"
filter="(proc.name=$shell or proc.pname=$shell) and evt.type in (execve, openat, read, write, close)"

"$dig" -p "*$fmt" -w "$tmp/live.scap" "$filter" >"$tmp/live.out" 2>"$tmp/live.err" &
dig_pid=$!
wait_attached $dig_pid || echo "scapdig did not attach within 30 s (the checks below say what was missed)"
"$tmp/$shell" -c "cat /etc/hostname > /dev/null; head -c 5 /etc/passwd > /dev/null"
sleep 1
kill -INT $dig_pid
wait $dig_pid
rc=$?
failures=0
check "live run exit code" 0 "$rc"
"$dig" -r "$tmp/live.scap" -p "*$fmt" "$filter" >"$tmp/replay.out" 2>"$tmp/replay.err"
check "replay exit code" 0 "$?"
check "replay prints the same lines" "$(cat "$tmp/live.out")" "$(cat "$tmp/replay.out")"
check "cat opened /etc/hostname" 1 "$(grep -c "^openat cat cat /etc/hostname $shell /etc/hostname SUCCESS$" "$tmp/live.out")"
check "head's execve seen with its parent" 1 "$(grep -c "^execve head head -c 5 /etc/passwd $shell " "$tmp/live.out")"
check "failed opens name their error" 1 "$(grep -c " ENOENT$" "$tmp/live.out" | sed 's/^[1-9][0-9]*$/1/')"
check "summary: no drops" 1 "$(grep -c '^scapdig: drops 0 ' "$tmp/live.err")"
check "summary: events written" 1 "$(grep -c '^scapdig: wrote [1-9][0-9]* events' "$tmp/live.err")"
if ((failures)); then
    echo "--- live vs replay (first differences)"; diff "$tmp/live.out" "$tmp/replay.out" | head -20
    echo "--- live.err"; cat "$tmp/live.err"
fi
echo "scapdig live tests: $failures failed"
exit $((failures != 0))
