#!/usr/bin/env python3
"""Field-by-field value parity between our scapdig and the reference's sinsp-example.

usage: REFERENCE_SINSP_EXAMPLE=/path/sinsp-example \
         scripts/field_parity.py BUILD_DIR [CAPTURE ...] [--max-events N] [--out DIR]

Captures default to ../shared/captures/*.scap* (beside the repository). For every field both
implementations have (ours from `scapdig -l`; fields that need an argument through the instances of
ARG_INSTANCES; each one checked against the reference by asking sinsp-example to format it, since it
has no list option),
both tools print every event of a capture as JSON with all those fields at once:
    ours:      scapdig -r FILE -j -p "*%f1 %f2 ..."
    reference: sinsp-example -s FILE -a -j -o "*%f1 %f2 ..."     (-a: every thread, not only main)
Events are aligned on (evt.rawtime, thread.tid, evt.type, occurrence), not on evt.num: for old
captures the reference numbers the enter events its converter consumes, so the same event has a
different evt.num in each tool (evt.num is still compared, as a field). The streams are merged as
they come (both tools print in file order), so memory stays bounded on large captures.

Values are compared as text: a JSON number and a string holding the same digits are equal here
(the JSON shape is a different question); null equals only null. List fields are arrays in our JSON
and space-joined strings in the reference's: they differ unless --lists-as-text.

What is compared how (the run prints these lists too; no field is dropped silently):
  - most fields: the two JSON outputs above, value for value;
  - TEXT_PASS_FIELDS (evt.deltatime, evt.deltatime.s, evt.deltatime.ns, thread.exectime,
    thread.totexectime): against a second reference pass in text form (-o without -j,
    tab-separated, the same events in the same order), because the reference's JSON output
    extracts each field twice per event and these fields, which give the time since their
    previous extraction, then always read 0;
  - thread.exectime/totexectime read 0 on every replayed event in the reference (its machine
    info has num_cpus 0 on replay, so its per-CPU switch times are never kept): compared as they
    are, the differences are documented in docs/compat.md (pass them to --documented);
  - DELTA_FIELDS (evt.deltatime*): sinsp-example prints each event through one of four
    formatters chosen by event category, each with its own evt.deltatime memory, so its value is
    the time since the previous printed event of the same group (a tool artifact: sysdig and
    Falco use one formatter per output). Our values are regrouped the same way before the
    comparison (the sum of our deltas since the group's previous event; regrouped_deltas);
  - FILTER_LEVEL_FIELDS (the reference's EPF_FILTER_ONLY fields fd.ip/port/proto/net/cnet/snet/
    lnet/rnet, and evt.type.is.NAME, which its output never resolves): not in the value table
    (the reference shows no value for them in output); instead both tools count the events
    matching `FIELD exists` and `FIELD = VALUE` for a few values our output shows (`= 1`/`= 0`
    for evt.type.is.*), on captures up to FILTER_CHECK_MAX_BYTES; differing counts are listed.

Prints per field: events compared, differing, and up to 3 sample differences; then the headline:
% of (field, event) pairs equal, and fields equal on every event; with --documented F1 F2 ...
(put it last) a second headline without those fields (the ones docs/compat.md lists as deliberate
differences); then the filter-level checks. --out DIR also writes the table per capture
(CAPTURE.tsv) and overall (all.tsv, with the headlines and filter checks) there.
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys

KEY_FIELDS = ["evt.rawtime", "thread.tid", "evt.type"]

# Fields that need an argument are compared through these instances (kept only where both tools
# accept them): the common arguments of events, ancestors, event-type tests and cgroups.
ARG_INSTANCES = [
    "evt.arg[0]", "evt.arg[1]", "evt.arg[2]", "evt.arg[3]",
    "evt.arg.fd", "evt.arg.res", "evt.arg.name", "evt.arg.flags", "evt.arg.size", "evt.arg.path",
    # not evt.rawarg.res: the reference (48dfd53) aborts on it ("wrong param type 11") mid-capture
    "evt.rawarg.fd", "evt.rawarg.flags", "evt.rawarg.size",
    "evt.type.is.open", "evt.type.is.openat", "evt.type.is.execve",
    "proc.aname[1]", "proc.aname[2]", "proc.apid[1]", "proc.apid[2]", "proc.aexe[1]",
    "proc.aexepath[1]", "proc.acmdline[1]", "proc.aname[0]",
    "thread.cgroup.cpu", "thread.cgroup.memory", "thread.cgroup.pids",
]
GROUPS = {}  # event name -> sinsp-example formatter group (formatter_groups)
WINDOW = 20000  # events kept waiting for their partner before being declared unmatched

# Fields whose value depends on the previous evaluation (the delta or run time since the last time
# the field was extracted). The reference's JSON output extracts every field twice per event
# (once for the key list, once for the value), so there the second reading is always 0; its text
# output extracts once and gives the real value. These fields are compared against a second
# reference pass in text form (same events, same order, fields separated by tabs).
# Text prints evt.deltatime.ns zero-padded to 9 digits: digit strings are compared as numbers.
# (thread.cpu* remember the previous extraction too, but there the reference's JSON agrees with
# ours on all but a few events and its text output does not: they stay in the JSON comparison.)
TEXT_PASS_FIELDS = ["evt.deltatime", "evt.deltatime.s", "evt.deltatime.ns", "thread.exectime",
                    "thread.totexectime"]

# sinsp-example formats each event with one of four formatters chosen by the event table's
# category (test.cpp formatted_dump: process; net and I/O read/write; plugin; the rest), and each
# formatter owns its own evt.deltatime field, which measures from that field's previous
# extraction. So its evt.deltatime is the time since the previous printed event *of the same
# group*, an artifact of the example tool (sysdig and Falco format an output with one formatter).
# To still compare our values on every event, ours are regrouped the same way: the sum of our
# own evt.deltatime values since the previous event of the event's group (0 on a group's first
# event, as the reference's first extraction). Wrong deltas of ours still show as differences.
DELTA_FIELDS = ["evt.deltatime", "evt.deltatime.s", "evt.deltatime.ns"]


def formatter_groups(events_def):
    """Event name -> sinsp-example's formatter group, from the event schema's categories (the
    newest definition of a name wins: only the old "container" events change group)."""
    groups = {}
    with open(events_def) as f:
        for line in f:
            if not line.startswith("EVENT("):
                continue
            parts = [p.strip() for p in line[len("EVENT("):].split(",")]
            name, cats = parts[2].strip('"'), {c.strip() for c in parts[3].split("|")}
            if "EC_PLUGIN" in cats:
                groups[name] = "plugin"
            elif "EC_PROCESS" in cats:
                groups[name] = "process"
            elif cats & {"EC_NET", "EC_IO_READ", "EC_IO_WRITE"}:
                groups[name] = "net"
            else:
                groups[name] = "default"
    return groups


def regrouped_deltas(stream, groups):
    """Our events with evt.deltatime(.s, .ns) summed per sinsp-example formatter group (see
    DELTA_FIELDS). .s and .ns are derived from the regrouped sum only where ours agree with our
    own evt.deltatime on that event; otherwise ours are left as they are, and differ."""
    since = {}  # group -> our deltas summed since that group's previous event
    for obj in stream:
        d = obj.get("evt.deltatime")
        if d is not None:
            for g in since:
                since[g] += int(d)
            g = groups.get(obj.get("evt.type"), "default")
            total = since.get(g, 0)
            since[g] = 0
            sec, ns = obj.get("evt.deltatime.s"), obj.get("evt.deltatime.ns")
            if sec is not None and int(sec) == int(d) // 1000000000:
                obj["evt.deltatime.s"] = total // 1000000000
            if ns is not None and int(ns) == int(d) % 1000000000:
                obj["evt.deltatime.ns"] = total % 1000000000
            obj["evt.deltatime"] = total
        yield obj

# Fields the reference never shows a value for in output, so they are not "fields both have" for
# output values: the ones its field table flags EPF_FILTER_ONLY (sinsp_filtercheck_fd.cpp), and
# evt.type.is.NAME, whose dotted name the reference resolves for filters only (its output prints
# null in JSON, <NA> in text, on every event). They leave the value table and are checked at the
# filter level instead: the same number of matching events for `FIELD exists` and for `FIELD =
# VALUE` with a few values our output shows (see filter_checks).
FILTER_LEVEL_FIELDS = {
    "fd.ip": "EPF_FILTER_ONLY", "fd.port": "EPF_FILTER_ONLY", "fd.proto": "EPF_FILTER_ONLY",
    "fd.net": "EPF_FILTER_ONLY", "fd.cnet": "EPF_FILTER_ONLY", "fd.snet": "EPF_FILTER_ONLY",
    "fd.lnet": "EPF_FILTER_ONLY", "fd.rnet": "EPF_FILTER_ONLY",
    "evt.type.is.open": "output never resolves the dotted name",
    "evt.type.is.openat": "output never resolves the dotted name",
    "evt.type.is.execve": "output never resolves the dotted name",
}
NET_FIELDS = {"fd.net", "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet"}
FILTER_VALUES = 3  # values checked per filter-level field and capture (besides `exists`)
FILTER_CHECK_MAX_BYTES = 1 << 20  # filter checks run whole captures: only the small ones


def die(msg):
    sys.exit(f"field_parity: {msg}")


def our_fields(scapdig):
    out = subprocess.run([scapdig, "-l"], capture_output=True, text=True, check=True).stdout
    names = []
    for line in out.splitlines():
        if not line or line[0] in "- " or line.startswith("Field Class:"):
            continue
        name = line.split()[0]
        if "." not in name or name.endswith("[ARG]"):
            continue
        names.append(name.replace("[ARG?]", ""))
    return list(dict.fromkeys(names))


def accepts(cmd, fields):
    """True when the tool (cmd: argv up to the format) formats all of `fields` without an error."""
    fmt = "*" + " ".join("%" + f for f in fields)
    p = subprocess.run(cmd + [fmt], capture_output=True, text=True)
    lines = (p.stdout + p.stderr).splitlines()
    return (p.returncode == 0 and not any(l.startswith("[ERROR]") for l in lines)
            and any(l.startswith("{") for l in lines))


def accepted(cmd, fields):
    """The fields a tool accepts, found by bisection (few runs when most are accepted)."""
    if not fields:
        return []
    if accepts(cmd, fields):
        return list(fields)
    if len(fields) == 1:
        return []
    mid = len(fields) // 2
    return accepted(cmd, fields[:mid]) + accepted(cmd, fields[mid:])


LISTS_AS_TEXT = False  # --lists-as-text: a JSON array equals the same items joined by spaces


def norm(v):
    if LISTS_AS_TEXT and isinstance(v, list):
        return " ".join(norm(x) or "" for x in v)
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def json_lines(cmd, label):
    """The JSON objects a tool prints; a run that fails is reported (its events so far still count)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         errors="replace", bufsize=1 << 20)
    bad = 0
    for line in p.stdout:
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                bad += 1
        elif line.startswith("terminate called") or line.startswith("[ERROR]"):
            print(f"field_parity: {label}: {line.strip()}", file=sys.stderr)
    err = p.stderr.read()
    if p.wait() != 0 or bad:
        tail = err.strip().splitlines()[-1:] or [""]
        print(f"field_parity: {label} exited with {p.returncode}, {bad} unparsable lines: {tail[0]}", file=sys.stderr)


def text_lines(cmd, fields, label):
    """The events a tool prints with a tab-separated text format of `fields`, as dicts (<NA>: None)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         errors="replace", bufsize=1 << 20)
    for line in p.stdout:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != len(fields) or not parts[0].isdigit():
            continue
        yield {f: (None if v == "<NA>" else str(int(v)) if v.isdigit() else v) for f, v in zip(fields, parts)}
    if p.wait() != 0:
        print(f"field_parity: {label} exited with {p.returncode}", file=sys.stderr)


def with_text_values(json_stream, text_stream, text_fields, label):
    """The reference's JSON events with `text_fields` replaced by the text pass's values. Both
    passes print the same events in the same order; the key fields check that they line up."""
    for obj in json_stream:
        t = next(text_stream, None)
        if t is None or any(norm(obj.get(k)) != norm(t.get(k)) for k in KEY_FIELDS):
            die(f"{label}: the text pass does not line up with the JSON pass at evt.num {obj.get('evt.num')}")
        for f in text_fields:
            obj[f] = t[f]
        yield obj


def keyed(stream):
    seen = collections.Counter()
    for obj in stream:
        base = tuple(norm(obj.get(k)) for k in KEY_FIELDS)
        seen[base] += 1
        yield base + (seen[base],), obj


class Stats:
    def __init__(self, fields):
        self.fields = fields
        self.compared = collections.Counter()
        self.differ = collections.Counter()
        self.samples = collections.defaultdict(list)
        self.matched = self.only_ours = self.only_ref = 0

    def compare(self, ours, ref):
        self.matched += 1
        for f in self.fields:
            a, b = norm(ours.get(f)), norm(ref.get(f))
            self.compared[f] += 1
            if a != b:
                self.differ[f] += 1
                if len(self.samples[f]) < 3:
                    self.samples[f].append((ours.get("evt.num"), ref.get("evt.num"), a, b))

    def add(self, other):
        self.compared.update(other.compared)
        self.differ.update(other.differ)
        for f, s in other.samples.items():
            self.samples[f].extend(s[: max(0, 3 - len(self.samples[f]))])
        self.matched += other.matched
        self.only_ours += other.only_ours
        self.only_ref += other.only_ref


def run_capture(scapdig, ref, capture, fields, max_events):
    fmt = "*" + " ".join("%" + f for f in fields)
    limit = ["-n", str(max_events)] if max_events else []
    name = os.path.basename(capture)
    ours = json_lines([scapdig, "-r", capture, "-j", "-p", fmt] + limit, f"ours on {name}")
    if "evt.deltatime" in fields:
        ours = regrouped_deltas(ours, GROUPS)
    ours = keyed(ours)
    ref_json = json_lines([ref, "-s", capture, "-a", "-j", "-o", fmt] + limit, f"reference on {name}")
    text_fields = [f for f in TEXT_PASS_FIELDS if f in fields]
    if text_fields:
        tf = KEY_FIELDS + text_fields
        ref_text = text_lines([ref, "-s", capture, "-a", "-o", "*" + "\t".join("%" + f for f in tf)] + limit,
                              tf, f"reference text pass on {name}")
        ref_json = with_text_values(ref_json, ref_text, text_fields, name)
    theirs = keyed(ref_json)
    st = Stats(fields)
    wait_ours, wait_ref = collections.OrderedDict(), collections.OrderedDict()
    done_ours = done_ref = False
    while not (done_ours and done_ref):
        for side in (0, 1):
            if (done_ours, done_ref)[side]:
                continue
            try:
                key, obj = next(ours if side == 0 else theirs)
            except StopIteration:
                if side == 0:
                    done_ours = True
                else:
                    done_ref = True
                continue
            mine, other = (wait_ours, wait_ref) if side == 0 else (wait_ref, wait_ours)
            if key in other:
                partner = other.pop(key)
                st.compare(obj if side == 0 else partner, partner if side == 0 else obj)
            else:
                mine[key] = obj
                if len(mine) > WINDOW:
                    mine.popitem(last=False)
                    if side == 0:
                        st.only_ours += 1
                    else:
                        st.only_ref += 1
    # With a limit, the side that numbers more events stops earlier in the file: what is left
    # unmatched at the end is then a cut-off, not a difference; count it all the same.
    st.only_ours += len(wait_ours)
    st.only_ref += len(wait_ref)
    return st


def filter_values(scapdig, capture, field):
    """Up to FILTER_VALUES distinct values our output shows for the field on the capture, as
    filter constants (list items one by one; networks as the address alone: /32, IPv6 /128)."""
    p = subprocess.run([scapdig, "-r", capture, "-j", "-p", "*%" + field], capture_output=True, text=True,
                       errors="replace")
    values = []
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        v = json.loads(line).get(field)
        items = v if isinstance(v, list) else ([] if v is None else str(v).split())
        for item in items:
            item = str(item)
            if field in NET_FIELDS:
                item += "/128" if ":" in item else "/32"  # the address alone, as a network
            if item not in values:
                values.append(item)
            if len(values) >= FILTER_VALUES:
                return values
    return values


def count_ours(scapdig, capture, flt):
    p = subprocess.run([scapdig, "-r", capture, "-q", flt], capture_output=True, text=True)
    for line in (p.stdout + p.stderr).splitlines():
        if " matched " in line:
            return int(line.split(" matched ")[1].split()[0].rstrip(","))
    return None


def count_ref(ref, capture, flt):
    p = subprocess.run([ref, "-s", capture, "-a", "-j", "-f", flt, "-o", "*%evt.num"], capture_output=True,
                       text=True, errors="replace")
    if any(l.startswith("[ERROR]") or l.startswith("terminate") for l in (p.stdout + p.stderr).splitlines()):
        return None
    return sum(1 for l in p.stdout.splitlines() if l.startswith("{"))


def filter_checks(scapdig, ref, captures, fields):
    """Same number of matching events in both tools for filter-level fields: `exists`, then
    `= 1`/`= 0` (evt.type.is.*) or `= VALUE` for values our output shows."""
    checked = differ = 0
    lines = []
    for cap in captures:
        if os.path.getsize(cap) > FILTER_CHECK_MAX_BYTES:
            lines.append(f"  {os.path.basename(cap)}: skipped (over {FILTER_CHECK_MAX_BYTES} bytes)")
            continue
        for f in fields:
            if f.startswith("evt.type.is."):
                filters = [f"{f} = 1", f"{f} = 0"]
            else:
                filters = [f"{f} exists"] + [f"{f} = {v}" for v in filter_values(scapdig, cap, f)]
            for flt in filters:
                a, b = count_ours(scapdig, cap, flt), count_ref(ref, cap, flt)
                checked += 1
                if a != b:
                    differ += 1
                    lines.append(f"  {os.path.basename(cap)}: '{flt}': ours {a}, reference {b}")
    return checked, differ, lines


def table(st, out=sys.stdout, worst=None):
    rows = sorted(st.fields, key=lambda f: (-st.differ[f], f))
    if worst:
        rows = rows[:worst]
    print(f"{'field':32} {'compared':>9} {'differing':>9} {'equal %':>8}  samples (ours evt.num/ref evt.num: ours | ref)", file=out)
    for f in rows:
        c, d = st.compared[f], st.differ[f]
        pct = 100.0 * (c - d) / c if c else 100.0
        samples = "; ".join(f"#{a}/{b}: {x!r} | {y!r}" for a, b, x, y in st.samples[f])
        print(f"{f:32} {c:9} {d:9} {pct:8.2f}  {samples[:300]}", file=out)


def headline(st, label, without=frozenset()):
    fields = [f for f in st.fields if f not in without]
    pairs = sum(st.compared[f] for f in fields)
    diff = sum(st.differ[f] for f in fields)
    same_fields = sum(1 for f in fields if st.differ[f] == 0)
    pct = 100.0 * (pairs - diff) / pairs if pairs else 0.0
    return (f"{label}: {pct:.3f}% of {pairs} (field, event) pairs equal, {diff} differ; {same_fields} of {len(fields)} "
            f"fields equal on every event; {st.matched} events aligned, {st.only_ours} only in ours, "
            f"{st.only_ref} only in the reference")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--max-events", type=int, default=200000,
                    help="events per capture (both sides' -n; 0: all); default 200000")
    ap.add_argument("--out", help="directory for the tables")
    ap.add_argument("--worst", type=int, default=0, help="print only the N most differing fields")
    ap.add_argument("--lists-as-text", action="store_true",
                    help="compare list fields as their items joined by spaces (the reference's JSON "
                         "prints them so; ours prints arrays): separates values from JSON shape")
    ap.add_argument("--no-filter-checks", action="store_true", help="skip the filter-level checks")
    ap.add_argument("--documented", nargs="*", default=[],
                    help="fields whose differences docs/compat.md lists as deliberate: a second headline "
                         "leaves them out (the first one always counts every field)")
    a = ap.parse_args()
    global LISTS_AS_TEXT
    LISTS_AS_TEXT = a.lists_as_text
    ref = os.environ.get("REFERENCE_SINSP_EXAMPLE") or die("set REFERENCE_SINSP_EXAMPLE")
    if not os.access(ref, os.X_OK):
        die(f"reference '{ref}' is not an executable")
    scapdig = os.path.join(a.build, "tools/scapdig/scapdig")
    if not os.access(scapdig, os.X_OK):
        die(f"no scapdig in '{a.build}'")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    captures = a.captures or sorted(glob.glob(os.path.join(root, "..", "shared", "captures", "*.scap*")))
    if not captures:
        die("no captures given and none in ../shared/captures")

    global GROUPS
    GROUPS = formatter_groups(os.path.join(root, "driver", "schema", "events.def"))
    ours = our_fields(scapdig)
    probe = min(captures, key=os.path.getsize)
    ref_probe = [ref, "-s", probe, "-a", "-j", "-n", "1", "-o"]
    ours_probe = [scapdig, "-r", probe, "-j", "-n", "1", "-p"]
    args = [f for f in accepted(ours_probe, ARG_INSTANCES)]
    fields = accepted(ref_probe, ours + args)
    filter_level = [f for f in fields if f in FILTER_LEVEL_FIELDS]
    fields = [f for f in fields if f not in FILTER_LEVEL_FIELDS]
    for k in KEY_FIELDS + ["evt.num"]:
        if k not in fields:
            die(f"key field {k} is not common to both tools")
    print(f"field_parity: {len(ours)} fields of ours without a required argument and {len(args)} argument "
          f"instances, {len(fields)} of them also in the reference; not in the reference: "
          f"{' '.join(f for f in ours + args if f not in fields and f not in filter_level)}")
    print("field_parity: compared as the reference's text output (its JSON extracts each field twice, "
          f"so fields remembering the previous extraction read 0 there): "
          f"{' '.join(f for f in TEXT_PASS_FIELDS if f in fields)}")
    print("field_parity: not in the value table, checked as filters instead (the reference shows no "
          "value for them in output): " + "; ".join(f"{f} ({FILTER_LEVEL_FIELDS[f]})" for f in filter_level))

    total = Stats(fields)
    for cap in captures:
        st = run_capture(scapdig, ref, cap, fields, a.max_events)
        print(headline(st, os.path.basename(cap)), flush=True)
        total.add(st)
        if a.out:
            os.makedirs(a.out, exist_ok=True)
            with open(os.path.join(a.out, os.path.basename(cap) + ".tsv"), "w") as f:
                table(st, f)
    print()
    table(total, worst=a.worst or None)
    checks = None
    if filter_level and not a.no_filter_checks:
        checks = filter_checks(scapdig, ref, captures, filter_level)
    # The closing summary, on stdout and (with --out) after the overall table.
    summary = [headline(total, "ALL CAPTURES")]
    if a.documented:
        summary.append(headline(total, "ALL CAPTURES without the documented-deliberate fields", set(a.documented)))
    if checks:
        checked, differ, lines = checks
        summary.append(f"filter-level fields: {checked - differ} of {checked} filters match as many events in "
                       "both tools")
        summary.extend(lines)
    print()
    print("\n".join(summary))
    if a.out:
        with open(os.path.join(a.out, "all.tsv"), "w") as f:
            table(total, f)
            print("\n".join(summary), file=f)


if __name__ == "__main__":
    main()
