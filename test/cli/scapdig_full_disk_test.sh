#!/usr/bin/env bash
# scapdig -w onto a full file system (a 1 MiB tmpfs): the run stops with the cause and the path,
# closing says the same (never a bare zlib code), the summary counts what reached the file, and
# the file replays to exactly that many events, ending cleanly. Plain and gzip.
# usage: scapdig_full_disk_test.sh SCAPDIG CAPTURES_DIR TMPDIR     (exit 77 = skipped: no root)
set -uo pipefail
dig=$1 caps=$2 tmp=$3
if [[ $(id -u) != 0 ]]; then echo "SKIP: mounting a tmpfs needs root"; exit 77; fi
mnt="$tmp/mnt"
mkdir -p "$mnt"
umount "$mnt" 2>/dev/null
if ! mount -t tmpfs -o size=1m tmpfs "$mnt"; then echo "SKIP: cannot mount a tmpfs here"; exit 77; fi
trap 'umount "$mnt"' EXIT
failures=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

for out in "$mnt/all.scap" "$mnt/all.scap.gz"; do
    rm -f "$mnt"/all.*
    name=$(basename "$out")
    timeout 120 "$dig" -r "$caps/reference_mixed_2M.scap.gz" -w "$out" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
    err=$(cat "$tmp/stderr")
    check "$name: exit code" "1" "$rc"
    check "$name: nothing printed" "0" "$(stat -c %s "$tmp/stdout")"
    check "$name: the event error names cause and path" "1" \
        "$(grep -c "^scapdig: writing event [0-9]*: cannot write '$out': No space left on device" <<<"$err")"
    check "$name: closing names cause and path" "1" \
        "$(grep -c "^scapdig: closing $out: cannot write '$out': No space left on device" <<<"$err")"
    check "$name: no zlib code" "0" "$(grep -ci zlib <<<"$err")"
    wrote=$(sed -n 's/^scapdig: wrote \([0-9]*\) events, \([0-9]*\) bytes$/\1 \2/p' <<<"$err")
    events=${wrote% *} bytes=${wrote#* }
    check "$name: summary bytes = file size" "$(stat -c %s "$out")" "$bytes"
    check "$name: some events kept" "1" "$([[ ${events:-0} -gt 1000 ]] && echo 1 || echo 0)"
    check "$name: the close says how many and how it ends" "1" \
        "$(grep -c "^scapdig: closing .*the file keeps $events events, $bytes bytes, and ends cleanly" <<<"$err")"
    check "$name: 'written' counts the file's events" "1" "$(grep -c "^scapdig: read .*, written $events in " <<<"$err")"
    rerr=$("$dig" -r "$out" -q 2>&1 >/dev/null); rrc=$?
    check "$name: replays cleanly" "0" "$rrc"
    check "$name: replays every kept event" "1" "$(grep -c "^scapdig: read $events events" <<<"$rerr")"
done

echo "scapdig full disk tests: $failures failed"
exit $((failures != 0))
