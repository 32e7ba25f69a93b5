#!/usr/bin/env python3
"""Writes the conditions of Falco rules files as filter-fuzzer seeds, one file each.

    rule_conditions.py OUTDIR RULES.yaml...

Macros and lists are expanded the way a rules loader does (a macro name becomes its
parenthesised condition, a list name its items), so most seeds compile with our field names and
the fuzzer starts from filters that evaluate, not only parse. Conditions are also written
unexpanded, as the parser sees them in rules files.
"""
import os
import re
import sys

import yaml


def main():
    out, files = sys.argv[1], sys.argv[2:]
    macros, lists, conditions = {}, {}, []
    for path in files:
        with open(path) as f:
            for item in yaml.safe_load(f) or []:
                if not isinstance(item, dict):
                    continue
                if "macro" in item and isinstance(item.get("condition"), str):
                    macros[item["macro"]] = item["condition"]
                    conditions.append(item["condition"])
                elif "list" in item and isinstance(item.get("items"), list):
                    lists[item["list"]] = item["items"]
                elif "rule" in item and isinstance(item.get("condition"), str):
                    conditions.append(item["condition"])

    def quote(v):
        v = str(v)
        return v if re.fullmatch(r"[\w./-]+", v) or v.startswith('"') else '"%s"' % v.replace('"', '\\"')

    expanded = {}

    def expand(cond, depth=0):
        if depth > 20:
            return cond

        def word(m):
            w = m.group(0)
            if w in macros:
                if w not in expanded:
                    expanded[w] = "(" + expand(macros[w], depth + 1) + ")"
                return expanded[w]
            if w in lists:
                return ", ".join(quote(v) for v in lists[w]) or '""'
            return w

        # Names only where they stand alone: not inside field names (proc.name) or quotes.
        return re.sub(r'"[^"]*"|(?<![\w.])[A-Za-z_]\w*(?![\w.\[])', word, cond)

    os.makedirs(out, exist_ok=True)
    n = 0
    for cond in conditions:
        full = expand(cond).strip()
        for text in (cond.strip(), full) if len(full) < 16384 else (cond.strip(),):
            with open(os.path.join(out, "rule_%04d" % n), "w") as f:
                f.write(text)
            n += 1
    print("rule_conditions: %d seeds from %d files" % (n, len(files)))


if __name__ == "__main__":
    main()
