#!/usr/bin/env bash
# scapdig end to end over real captures: filtering, formats, JSON, -n, -w round trip, errors, -l.
# usage: scapdig_test.sh SCAPDIG CAPTURES_DIR TMPDIR
set -uo pipefail
dig=$1 caps=$2 tmp=$3
mkdir -p "$tmp"
failures=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

# cat opening files (values read off scap-open -p): the four opens, with the fd names.
out=$("$dig" -r "$caps/falco_cat_write.scap" -p "%proc.name %evt.type %fd.name" "evt.type=open and proc.name=cat" 2>/dev/null)
check "filter+format" "cat open /etc/ld.so.cache
cat open /lib/x86_64-linux-gnu/libc.so.6
cat open /usr/lib/locale/locale-archive
cat open /dev/null" "$out"

# -n stops after N matching events.
out=$("$dig" -r "$caps/falco_cat_write.scap" -n 2 -p "%fd.name" "evt.type=open" 2>/dev/null)
check "-n" "/etc/ld.so.cache
/lib/x86_64-linux-gnu/libc.so.6" "$out"

# JSON: one object per line, typed members.
out=$("$dig" -r "$caps/falco_cat_write.scap" -j -n 1 -p "%thread.tid %proc.name %fd.name" "evt.type=open" 2>/dev/null)
check "-j" '{"thread.tid":20072,"proc.name":"cat","fd.name":"/etc/ld.so.cache"}' "$out"

# -w writes the matching events (plus the state-changing ones) with the snapshot; reading it back
# with the same filter shows the same events and the same state-derived values.
fmt="%evt.type %proc.name %fd.name"
before=$("$dig" -r "$caps/libs_curl_google.scap" -p "*$fmt" "proc.name=curl" 2>/dev/null)
"$dig" -r "$caps/libs_curl_google.scap" -q -w "$tmp/curl.scap.gz" "proc.name=curl" 2>"$tmp/w.err"
after=$("$dig" -r "$tmp/curl.scap.gz" -p "*$fmt" "proc.name=curl" 2>/dev/null)
check "-w round trip: same lines" "$before" "$after"
check "-w round trip: not empty" "1" "$([[ $(echo "$before" | wc -l) -gt 100 ]] && echo 1 || echo 0)"
check "-w summary" "1" "$(grep -c '^scapdig: wrote [1-9][0-9]* events' "$tmp/w.err")"

# Container metadata travels in container events: a written capture replays with it.
fmt="%evt.num %proc.name %container.id %container.name %container.image %container.type"
before=$("$dig" -r "$caps/falco_open-multiple-files.scap" -p "$fmt" "container.id != host and evt.type=procinfo" 2>/dev/null)
"$dig" -r "$caps/falco_open-multiple-files.scap" -q -w "$tmp/cont.scap" "container.name=express_server" 2>/dev/null
after=$("$dig" -r "$tmp/cont.scap" -p "%proc.name %container.name %container.image" "container.name=express_server" 2>/dev/null | sort -u)
check "container fields" "84 bash ad64969c62e5 express_server node:latest docker" "$(echo "$before" | head -1)"
check "-w keeps container events" "bash express_server node:latest
node express_server node:latest" "$after"

# The summary counts what was read and matched.
err=$("$dig" -r "$caps/falco_cat_write.scap" -q "evt.type=open" 2>&1 >/dev/null | head -1)
check "summary" "scapdig: read 303 events, matched 4" "$(echo "$err" | grep -o '^scapdig: read [0-9]* events, matched [0-9]*')"

# Errors: a bad filter names the position; exit code 2.
err=$("$dig" -r "$caps/falco_cat_write.scap" "proc.name = " 2>&1); rc=$?
check "bad filter exit code" "2" "$rc"
check "bad filter message" "1" "$(echo "$err" | grep -c 'bad filter: filter error at column')"
err=$("$dig" -r "$caps/falco_cat_write.scap" -p "%proc.nosuch" 2>&1); rc=$?
check "bad format exit code" "2" "$rc"
err=$("$dig" -q -r /nonexistent.scap 2>&1); rc=$?
check "missing file message" "1" "$(echo "$err" | grep -c nonexistent.scap)"
check "missing file exit code" "1" "$rc"

# -l lists every class with its fields.
out=$("$dig" -l)
for cls in evt proc thread fd fs.path user group; do
    check "-l lists $cls" "1" "$(echo "$out" | grep -c "^Field Class: $cls\$")"
done
check "-l lists proc.name" "1" "$(echo "$out" | grep -c '^proc.name ')"

echo "scapdig tests: $failures failed"
exit $((failures != 0))
