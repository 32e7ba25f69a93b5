#!/usr/bin/env bash
# scapdig --rules live with and without in-kernel pre-filtering (proposal 0011): two captures run
# side by side on the same workload with the same rule file, one pre-filtered (the default), one
# with --no-prefilter; both must print the very same alerts, and the pre-filtered one must have
# been delivered fewer events, the difference counted as pre-filtered.
# The rule file (written here: it names this run's shell) has a list and a macro, an exception, a
# rule below the --min-priority threshold and a disabled rule that would each keep every read or
# write if they counted, and a rule on a field the kernel cannot check (fstat: everything passes;
# the shell's children's fstats, if any, raise it).
# A dd copying byte by byte makes the bulk of reads and writes, which no active rule can match.
# usage: scapdig_rules_prefilter_live_test.sh SCAPDIG TMPDIR    (exit 77 = skipped: no root or no BTF)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
dig=$1 tmp=$2
skip_unless_live
mkdir -p "$tmp"
rm -f "$tmp"/on.* "$tmp"/off.*
shell="rpf$$"
cp /bin/bash "$tmp/$shell"
cat >"$tmp/rules.yaml" <<EOF
- list: rpf_shells
  items: [$shell]
- macro: rpf_shell
  condition: proc.name in (rpf_shells)
- rule: Shell reads
  desc: successful reads and preads of the test's shell, not of /proc files
  condition: evt.type in (read, pread) and rpf_shell and evt.rawres >= 0
  output: "read %thread.tid %evt.type %evt.rawres %proc.name %fd.name"
  priority: WARNING
  exceptions:
    - name: proc_files
      fields: [fd.name]
      comps: [startswith]
      values: [[/proc]]
- rule: Shell writes
  desc: writes of the test's shell
  condition: evt.type = write and rpf_shell
  output: "write %thread.tid %evt.type %evt.rawres %proc.name %fd.name"
  priority: NOTICE
- rule: Every write
  desc: below the threshold the test runs with
  condition: evt.type = write
  output: "any write %proc.name"
  priority: DEBUG
- rule: Every read or write
  desc: disabled
  condition: evt.type in (read, write)
  output: "any read or write %proc.name"
  priority: CRITICAL
  enabled: false
- rule: Fstat by a child
  desc: proc.pname cannot be checked in the kernel
  condition: evt.type = fstat and proc.pname = $shell
  output: "fstat %thread.tid %proc.name %fd.name"
  priority: WARNING
EOF
args=(--rules "$tmp/rules.yaml" --min-priority notice --no-container-runtime)

"$dig" "${args[@]}" >"$tmp/on.out" 2>"$tmp/on.err" &
on_pid=$!
"$dig" "${args[@]}" --no-prefilter >"$tmp/off.out" 2>"$tmp/off.err" &
off_pid=$!
wait_attached $on_pid 120 && wait_attached $off_pid 120 || echo "scapdig did not attach within 120 s"
sleep 1
"$tmp/$shell" -c '
    for i in 1 2 3; do read -r x < /etc/hostname; echo "$x" > /dev/null; done
    read -r x 2>/dev/null < /nonexistent-dir/file
    read -r x < /proc/self/stat
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
# Each capture has its own driver programs, which read the clock on their own: the same event's
# time differs by a microsecond or so between the two. The rest of every alert line must agree.
untimed() { sed 's/^[0-9:.]*: //' "$1"; }
check "same alerts with and without pre-filtering" "$(untimed "$tmp/off.out")" "$(untimed "$tmp/on.out")"
check "as many alerts with and without pre-filtering" "$(wc -l <"$tmp/off.out")" "$(wc -l <"$tmp/on.out")"
check "the shell's reads of /etc/hostname raised alerts" 1 \
    "$(grep -c "read .* read .* $shell /etc/hostname" "$tmp/on.out" | awk '{print ($1 >= 3) ? 1 : 0}')"
check "the shell's writes raised alerts" 1 \
    "$(grep -c "Notice write .* write .* $shell /dev/null" "$tmp/on.out" | awk '{print ($1 >= 3) ? 1 : 0}')"
check "the exception held (no alert for the read of /proc/self/stat)" 0 "$(grep -c '/proc/self/stat' "$tmp/on.out")"
check "the debug and disabled rules raised nothing" 0 "$(grep -c 'any ' "$tmp/on.out")"
read_on=$(sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$tmp/on.err")
read_off=$(sed -n 's/^scapdig: read \([0-9]*\) events.*/\1/p' "$tmp/off.err")
pre=$(sed -n 's/^scapdig: kernel pre-filtered \([0-9]*\) events.*/\1/p' "$tmp/on.err")
pre_off=$(sed -n 's/^scapdig: kernel pre-filtered \([0-9]*\) events.*/\1/p' "$tmp/off.err")
echo "events delivered: $read_on pre-filtered, $read_off unfiltered; kernel pre-filtered $pre"
# dd's 40,000 reads and writes cannot match an active rule: dropped in the kernel, they dwarf what
# the rest of the machine adds to either capture (the two do not start at the same instant).
check "fewer events delivered when pre-filtered ($read_on vs $read_off)" 1 \
    "$(((${read_on:-0} > 0 && ${read_on:-0} + 20000 < ${read_off:-0})) && echo 1 || echo 0)"
check "pre-filtered events counted ($pre)" 1 "$(((${pre:-0} >= 40000)) && echo 1 || echo 0)"
check "the unfiltered run pre-filtered nothing" 0 "${pre_off:-missing}"
check "pre-filtering is not a drop" 1 "$(grep -c '^scapdig: drops 0 ' "$tmp/on.err")"
if ((failures)); then
    echo "--- differences (unfiltered vs pre-filtered)"; diff <(untimed "$tmp/off.out") <(untimed "$tmp/on.out") | head -20
    echo "--- on.err"; cat "$tmp/on.err"
    echo "--- off.err"; cat "$tmp/off.err"
fi
echo "scapdig --rules pre-filter live tests: $failures failed"
exit $((failures != 0))
