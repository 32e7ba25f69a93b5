#!/usr/bin/env bash
# scapdig and scap-open command lines: counts that must be positive numbers, -w printing only when
# asked (as sysdig -w), a skipped unknown block said once, the usage and README texts, and the
# install step the README's first command runs.
# usage: cli_options_test.sh SCAPDIG SCAP_OPEN CAPTURES_DIR BUILD_DIR SOURCE_DIR TMPDIR
set -uo pipefail
dig=$1 sopen=$2 caps=$3 build=$4 src=$5 tmp=$6
rm -rf "$tmp"
mkdir -p "$tmp"
failures=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
cat_scap="$caps/falco_cat_write.scap"

# -n takes a positive number: 0, -1, text and overflow are refused with exit code 2.
for bad in 0 -1 abc 5x 99999999999999999999999; do
    err=$("$dig" -r "$cat_scap" -n "$bad" -q 2>&1 >/dev/null); rc=$?
    check "scapdig -n $bad exit code" "2" "$rc"
    check "scapdig -n $bad message" "1" "$(grep -c "^scapdig: -n needs a positive number, got '$bad'" <<<"$err")"
    err=$("$sopen" --scap_file "$cat_scap" -n "$bad" -q 2>&1 >/dev/null); rc=$?
    check "scap-open -n $bad exit code" "2" "$rc"
    check "scap-open -n $bad message" "1" "$(grep -c "^scap-open: -n needs a positive number, got '$bad'" <<<"$err")"
done
err=$("$sopen" --scap_file "$cat_scap" -s soon 2>&1 >/dev/null); rc=$?
check "scap-open -s soon exit code" "2" "$rc"
out=$("$sopen" --scap_file "$cat_scap" -n 7 -q 2>/dev/null)
check "scap-open -n 7 still counts" "1" "$(grep -c '^events: 7 ' <<<"$out")"

# scap-open -q prints what its usage and the README say: the drops line and the throughput line.
out=$("$sopen" --scap_file "$cat_scap" -q 2>/dev/null)
check "scap-open -q: two lines" "2" "$(wc -l <<<"$out")"
check "scap-open -q: drops line" "1" "$(grep -c '^drops: ' <<<"$out")"
check "scap-open -q: throughput line" "1" "$(grep -Ec '^events: [0-9]+  bytes: [0-9]+  seconds: .*  events/s: .*  MB/s: ' <<<"$out")"
check "README says what -q prints" "1" "$(tr '\n' ' ' <"$src/README.md" | grep -c 'prints only two lines, the drops')"
usage=$("$sopen" --help)
check "scap-open usage: no 'later issues'" "0" "$(grep -ci 'later issue' <<<"$usage")"
check "scap-open usage: -q text" "1" "$(grep -c 'print only the drops line and the throughput line' <<<"$usage")"

# -w writes without printing (as sysdig -w); -p or -j print as well.
out=$("$dig" -r "$cat_scap" -w "$tmp/w.scap" "evt.type=open" 2>"$tmp/w.err")
check "-w alone prints nothing" "" "$out"
check "-w alone: summary says printed 0" "1" "$(grep -c '^scapdig: read 303 events, matched 4, printed 0, written' "$tmp/w.err")"
out=$("$dig" -r "$tmp/w.scap" -p "%fd.name" "evt.type=open" 2>/dev/null)
check "-w wrote the matches" "4" "$(wc -l <<<"$out")"
out=$("$dig" -r "$cat_scap" -w "$tmp/w2.scap" -p "%fd.name" "evt.type=open" 2>/dev/null)
check "-w with -p prints" "/etc/ld.so.cache
/lib/x86_64-linux-gnu/libc.so.6
/usr/lib/locale/locale-archive
/dev/null" "$out"
out=$("$dig" -r "$cat_scap" -w "$tmp/w3.scap" -j -n 1 -p "%fd.name" "evt.type=open" 2>/dev/null)
check "-w with -j prints" '{"fd.name":"/etc/ld.so.cache"}' "$out"
out=$("$dig" -r "$cat_scap" -n 1 -p "%fd.name" "evt.type=open" 2>/dev/null)
check "no -w: -p prints as before" "/etc/ld.so.cache" "$out"

# An unknown block (type 0x7777) appended twice: said once on stderr with its type, size and
# offset; the events before it are all read and the run ends cleanly.
# (The shared capture is gzip-compressed whatever its name: work on its plain form.)
gzip -dc <"$cat_scap" >"$tmp/plain.scap"
size=$(stat -c %s "$tmp/plain.scap")
{ cat "$tmp/plain.scap"; printf '\x77\x77\x00\x00\x10\x00\x00\x00\xab\xab\xab\xab\x10\x00\x00\x00'
  printf '\x77\x77\x00\x00\x10\x00\x00\x00\xcd\xcd\xcd\xcd\x10\x00\x00\x00'; } >"$tmp/unknown.scap"
err=$("$dig" -r "$tmp/unknown.scap" -q 2>&1 >/dev/null); rc=$?
check "unknown block: exit code" "0" "$rc"
check "unknown block: one note" "1" "$(grep -c '^scapdig: note: ' <<<"$err")"
check "unknown block: type, size, offset" "1" \
    "$(grep -c "skipped a block of unknown type 0x7777 (16 bytes) at offset $size, after [0-9]* event blocks" <<<"$err")"
check "unknown block: events still read" "1" "$(grep -c '^scapdig: read 303 events' <<<"$err")"
err=$("$sopen" --scap_file "$tmp/unknown.scap" -q 2>&1 >/dev/null)
check "scap-open: unknown block note" "1" "$(grep -c "^scap-open: note: .*unknown type 0x7777 (16 bytes) at offset $size" <<<"$err")"

# The README's first command installs the two tools; --component tools installs nothing else.
check "README installs the tools" "1" "$(grep -c '^  cmake --install build/release --component tools' "$src/README.md")"
cmake --install "$build" --component tools --prefix "$tmp/prefix" >/dev/null
check "installed files" "bin/scap-open
bin/scapdig" "$(cd "$tmp/prefix" && find . -type f | sed 's|^\./||' | sort)"
"$tmp/prefix/bin/scapdig" -h >/dev/null; check "installed scapdig runs" "0" "$?"
"$tmp/prefix/bin/scap-open" -h >/dev/null; check "installed scap-open runs" "0" "$?"

echo "cli option tests: $failures failed"
exit $((failures != 0))
