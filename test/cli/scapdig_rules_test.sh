#!/usr/bin/env bash
# scapdig --rules end to end: alerts (text and Falco JSON), --min-priority, --list-rules, the
# closing summary, strict mode and bad arguments.
# usage: scapdig_rules_test.sh SCAPDIG CAPTURES_DIR RULES_FIXTURES_DIR SHARED_RULES_DIR
set -uo pipefail
dig=$1 caps=$2 fixtures=$3 shared=$4
failures=0
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
export TZ=UTC

# Text alerts: the first matching rule per event; /lib and /usr/lib opens are excepted.
out=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/cat_opens.yaml" 2>/dev/null)
check "text alerts" "16:17:57.881785348: Warning cat (pid 20072, user <NA>) opened /etc/ld.so.cache
16:17:57.882054739: Warning cat (pid 20072, user <NA>) opened /dev/null" "$out"

# --all-matches and --min-priority.
out=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/cat_opens.yaml" --min-priority critical 2>/dev/null)
check "--min-priority" "16:17:57.882054739: Critical null open by cat" "$out"
out=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/cat_opens.yaml" --all-matches 2>/dev/null | wc -l)
check "--all-matches" "3" "$out"

# -j: one JSON alert per line, Falco's members.
out=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/cat_opens.yaml" -j 2>/dev/null | head -1 |
      python3 -c 'import json,sys; j=json.load(sys.stdin); print(sorted(j), j["rule"], j["priority"], j["time"], j["output_fields"]["fd.name"])')
check "-j" "['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time'] Cat opens a file Warning 2016-08-04T16:17:57.881785348Z /etc/ld.so.cache" "$out"

# The summary: alerts per rule and priority, rules loaded.
err=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/cat_opens.yaml" --all-matches -q 2>&1 >/dev/null)
check "summary: alerts" "1" "$(grep -c '^scapdig: read 303 events, 3 alerts' <<<"$err")"
check "summary: by priority" "scapdig: alerts by priority: Critical 1, Warning 2" "$(grep 'by priority' <<<"$err")"
check "summary: per rule" "1" "$(grep -cE '^scapdig: +2  Warning +Cat opens a file$' <<<"$err")"
check "summary: rules" "1" "$(grep -c '^scapdig: rules: 2 seen, 2 loaded, 2 active' <<<"$err")"

# Errors disable their rule only, with file:line:column; the summary says why.
err=$("$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/errors.yaml" -q 2>&1 >/dev/null)
check "error position" "1" "$(grep -c "errors.yaml:13:34: error: rule 'Unknown field in condition'" <<<"$err")"
check "not loaded listed" "1" "$(grep -c "^scapdig:   not loaded: Unknown field in condition: needs fields" <<<"$err")"
"$dig" -r "$caps/falco_cat_write.scap" --rules "$fixtures/errors.yaml" --strict-rules -q >/dev/null 2>&1
check "strict mode exit code" "2" "$?"

# --list-rules: name, priority, enabled, status, event types.
out=$("$dig" --rules "$fixtures/cat_opens.yaml" --list-rules 2>/dev/null | tail -n +2 | tr -s ' ')
check "--list-rules" "Cat opens a file Warning yes active open
Cat opens dev null Critical yes active open" "$out"

# The default rule files load together.
err=$("$dig" --rules "$shared/falco_rules.yaml" --rules "$shared/falco-incubating_rules.yaml" \
      --rules "$shared/falco-sandbox_rules.yaml" --list-rules 2>&1 >/dev/null)
check "default files: 93 rules" "1" "$(grep -c '^scapdig: rules: 93 seen' <<<"$err")"

# Bad arguments.
"$dig" --rules "$fixtures/cat_opens.yaml" --min-priority loud -r "$caps/falco_cat_write.scap" >/dev/null 2>&1
check "bad priority exit code" "2" "$?"
"$dig" --rules /nonexistent.yaml -r "$caps/falco_cat_write.scap" >/dev/null 2>&1
check "missing rule file exit code" "2" "$?"

if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "all passed"
