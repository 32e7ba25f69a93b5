#!/usr/bin/env bash
# scapdig live with and without in-kernel pre-filtering (proposal 0011): two captures run side by
# side on the same workload, one pre-filtered (the default), one with --no-prefilter; both must
# print the very same matching events, and the pre-filtered one must have been delivered fewer
# events, the difference counted as pre-filtered. The workload renames its own thread mid-way
# (its kernel comm changes, the state's proc.name does not), so the comm conditions are checked
# where kernel and state disagree; its forked child takes the new name in both (the clone event
# carries the kernel's comm), so neither capture matches the child's write. A dd copying byte by
# byte makes the bulk of reads and writes that cannot match.
# usage: scapdig_prefilter_live_test.sh SCAPDIG TMPDIR       (exit 77 = skipped: no root or no BTF)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
dig=$1 tmp=$2
skip_unless_live
mkdir -p "$tmp"
rm -f "$tmp"/on.* "$tmp"/off.*
shell="pfw$$"
cp /bin/bash "$tmp/$shell"
fmt="%thread.tid %evt.type %evt.rawres %proc.name %fd.name"
# Reads and writes: not state events, so the comm and return-value conditions apply to them.
filter="proc.name=$shell and evt.type in (read, write, pread, readv) and not evt.failed=true"

"$dig" -p "$fmt" --no-container-runtime "$filter" >"$tmp/on.out" 2>"$tmp/on.err" &
on_pid=$!
"$dig" -p "$fmt" --no-container-runtime --no-prefilter "$filter" >"$tmp/off.out" 2>"$tmp/off.err" &
off_pid=$!
wait_attached $on_pid 120 && wait_attached $off_pid 120 || echo "scapdig did not attach within 120 s"
sleep 1
"$tmp/$shell" -c '
    read -r x < /etc/hostname; echo "$x" > /dev/null
    read -r x 2>/dev/null < /nonexistent-dir/file
    echo -n renamed > /proc/self/comm
    for i in 1 2 3; do read -r y < /etc/hostname; echo "$y" > /dev/null; done
    ( echo from-child > /dev/null )
    cat /etc/hostname > /dev/null
    dd if=/dev/zero of=/dev/null bs=1 count=20000 status=none'
sleep 1
kill -INT $on_pid $off_pid
wait $on_pid
rc_on=$?
wait $off_pid
rc_off=$?
failures=0
check "pre-filtered run exit code" 0 "$rc_on"
check "unfiltered run exit code" 0 "$rc_off"
check "same matching events with and without pre-filtering" "$(cat "$tmp/off.out")" "$(cat "$tmp/on.out")"
check "the workload's reads and writes matched (before and after its rename)" 1 \
    "$(awk '$2 == "read" || $2 == "write" {n++} END {print (n >= 8) ? 1 : 0}' "$tmp/on.out")"
# From the rename's own write on, the kernel's comm is "renamed" while the state still says
# $shell: these only come through because the driver remembers the renamed thread.
check "the rename's own write and the 6 reads and writes after it matched" 7 \
    "$(sed -n '\| /proc/self/comm$|,$p' "$tmp/on.out" | awk '$2 == "read" || $2 == "write"' | grep -c " $shell /")"
read_on=$(sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$tmp/on.err")
read_off=$(sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$tmp/off.err")
pre=$(sed -n 's/^scapdig: kernel pre-filtered \([0-9]*\) events.*/\1/p' "$tmp/on.err")
# dd's 40,000 reads and writes cannot match: dropped in the kernel, they dwarf what the rest of
# the machine adds to either capture (the two do not start at the same instant).
check "fewer events delivered when pre-filtered ($read_on vs $read_off)" 1 \
    "$(((${read_on:-0} > 0 && ${read_on:-0} + 20000 < ${read_off:-0})) && echo 1 || echo 0)"
check "pre-filtered events counted ($pre)" 1 "$(((${pre:-0} >= 40000)) && echo 1 || echo 0)"
check "the unfiltered run pre-filtered nothing" 0 "$(grep -c 'pre-filtered' "$tmp/off.err")"
check "pre-filtering is not a drop" 1 "$(grep -c '^scapdig: drops 0 ' "$tmp/on.err")"
if ((failures)); then
    echo "--- differences (unfiltered vs pre-filtered)"; diff "$tmp/off.out" "$tmp/on.out" | head -20
    echo "--- on.err"; cat "$tmp/on.err"
    echo "--- off.err"; cat "$tmp/off.err"
fi
echo "scapdig pre-filter live tests: $failures failed"
exit $((failures != 0))
