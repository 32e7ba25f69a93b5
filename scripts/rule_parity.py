#!/usr/bin/env python3
"""Rule-by-rule match parity between our rule engine and the reference's filter engine.

usage: REFERENCE_SINSP_EXAMPLE=/path/sinsp-example \
         scripts/rule_parity.py BUILD_DIR [--rules FILE ...] [CAPTURE ...] [--jobs N] [--out FILE]

Rule files default to ../shared/rules/{falco,falco-incubating,falco-sandbox}_rules.yaml and
captures to ../shared/captures/*.scap* (beside the repository), as for scripts/field_parity.py.

For each active rule (loaded and enabled), the events it matches on each capture are compared:
    ours:      scapdig -r CAPTURE --rules ... --all-matches -j     (one run per capture: the
               rule engine itself, every rule; each alert names its rule and carries evt.time)
    reference: sinsp-example -s CAPTURE -a -j -f "<condition>" -o "*%evt.rawtime"
               (one run per rule and capture; the condition is the rule's with its macros and
               lists expanded, taken from `scapdig --list-rules -j`: Falco evaluates a rule's
               condition as a filter, which is what sinsp-example applies)
Events are identified by their timestamp (with multiplicity). A rule whose expanded condition the
reference does not accept (a field it does not offer, e.g. container.* without its plugin) is
listed as "not comparable" with the reference's error. Prints per rule and capture: matches ours,
reference, only-ours, only-reference; then the headline: comparable rules whose matches are equal
on every capture. Exit status 1 when any comparable rule differs.
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import subprocess
import sys


def die(msg):
    sys.exit(f"rule_parity: {msg}")


def load_rules(scapdig, rule_files):
    cmd = [scapdig]
    for f in rule_files:
        cmd += ["--rules", f]
    p = subprocess.run(cmd + ["--list-rules", "-j"], capture_output=True, text=True)
    if p.returncode != 0:
        die(f"scapdig --list-rules failed: {p.stderr.strip()}")
    rules = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if not rules:
        die("scapdig --list-rules -j printed no rule")
    return rules


def our_matches(scapdig, rule_files, capture):
    """{rule name: Counter(evt.time)} from one run of our rule engine over the capture."""
    cmd = [scapdig, "-r", capture, "--all-matches", "-j"]
    for f in rule_files:
        cmd += ["--rules", f]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if p.returncode not in (0,):
        die(f"scapdig on {capture} exited with {p.returncode}: {p.stderr.strip()[-300:]}")
    out = collections.defaultdict(collections.Counter)
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        alert = json.loads(line)
        out[alert["rule"]][int(alert["output_fields"]["evt.time"])] += 1
    return out


def reference_matches(ref, capture, condition):
    """(Counter(evt.rawtime), None) or (None, the reference's error) for one condition."""
    cmd = [ref, "-s", capture, "-a", "-j", "-f", condition, "-o", "*%evt.rawtime"]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    lines = p.stdout.splitlines()
    # sinsp-example reports a filter it cannot set on a "[ERROR]" line and then goes on unfiltered.
    errors = [l for l in lines + p.stderr.splitlines() if l.startswith("[ERROR]")]
    if errors:
        return None, errors[0].strip()
    if p.returncode != 0:
        return None, f"exit status {p.returncode}: {p.stderr.strip()[-200:]}"
    got = collections.Counter()
    for l in lines:
        if l.startswith("{"):
            got[int(json.loads(l)["evt.rawtime"])] += 1
    return got, None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.join(here, "..", "..", "shared")
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--rules", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", help="write the per-rule table (TSV) here")
    a = ap.parse_args()
    ref = os.environ.get("REFERENCE_SINSP_EXAMPLE")
    if not ref or not os.access(ref, os.X_OK):
        die("set REFERENCE_SINSP_EXAMPLE to the reference's sinsp-example binary")
    scapdig = os.path.join(a.build_dir, "tools", "scapdig", "scapdig")
    if not os.access(scapdig, os.X_OK):
        die(f"no scapdig at {scapdig}")
    rule_files = a.rules or [os.path.join(shared, "rules", n + "_rules.yaml")
                             for n in ("falco", "falco-incubating", "falco-sandbox")]
    captures = a.captures or sorted(glob.glob(os.path.join(shared, "captures", "*.scap*")))
    if not captures:
        die("no capture given and none found in ../shared/captures")

    rules = [r for r in load_rules(scapdig, rule_files) if r.get("active")]
    ours = {c: our_matches(scapdig, rule_files, c) for c in captures}

    jobs = [(i, c) for i in range(len(rules)) for c in captures]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        results = dict(zip(jobs, pool.map(
            lambda ic: reference_matches(ref, ic[1], rules[ic[0]]["expanded_condition"]), jobs)))

    rows = []
    not_comparable = {}
    equal_rules = differing_rules = 0
    for i, r in enumerate(rules):
        name = r["rule"]
        errs = [results[(i, c)][1] for c in captures if results[(i, c)][1]]
        if errs:
            not_comparable[name] = errs[0]
            continue
        same = True
        for c in captures:
            mine = ours[c].get(name, collections.Counter())
            theirs = results[(i, c)][0]
            only_ours = sum((mine - theirs).values())
            only_ref = sum((theirs - mine).values())
            same = same and only_ours == 0 and only_ref == 0
            rows.append((name, os.path.basename(c), sum(mine.values()), sum(theirs.values()), only_ours,
                         only_ref))
        equal_rules += same
        differing_rules += not same

    print(f"{'rule':55} {'capture':32} {'ours':>7} {'ref':>7} {'only_ours':>9} {'only_ref':>8}")
    for row in rows:
        if row[2] or row[3]:
            mark = "" if row[4] == 0 and row[5] == 0 else "  <-- differs"
            print(f"{row[0][:55]:55} {row[1][:32]:32} {row[2]:7} {row[3]:7} {row[4]:9} {row[5]:8}{mark}")
    for name, err in sorted(not_comparable.items()):
        print(f"not comparable: {name}: {err[:160]}")
    if a.out:
        with open(a.out, "w") as f:
            f.write("rule\tcapture\tours\treference\tonly_ours\tonly_reference\n")
            for row in rows:
                f.write("\t".join(map(str, row)) + "\n")
    fired = len({row[0] for row in rows if row[2] or row[3]})
    print(f"\nrule_parity: {len(rules)} active rules, {len(rules) - len(not_comparable)} comparable "
          f"({fired} match somewhere), {equal_rules} equal on all {len(captures)} captures, "
          f"{differing_rules} differ, {len(not_comparable)} not comparable (the reference does not "
          f"accept their condition)")
    return 1 if differing_rules else 0


if __name__ == "__main__":
    sys.exit(main())
