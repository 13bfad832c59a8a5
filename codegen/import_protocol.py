#!/usr/bin/env python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Import Kafka's message definitions into protocol/, keeping only the facts.

Kafka's JSON files carry // comments, license headers and "about" prose. The
project keeps its own copy without them: names, api keys, versions, types, tags,
defaults. Usage:
    import_protocol.py SRC DST          write DST from SRC
    import_protocol.py --check SRC DST  exit 1 when DST does not match SRC
    --skip-missing                      with --check: exit 77 (skipped) when SRC is absent
"""
import json
import os
import sys

FOLDERS = ["message", "metadata", "group-coordinator", "transaction-coordinator", "raft"]
DROPPED_KEYS = {"about"}


def strip_comments(text):
    """Remove // comments, leaving // inside JSON strings alone."""
    out, i, in_string = [], 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def facts_only(node):
    if isinstance(node, dict):
        return {k: facts_only(v) for k, v in node.items() if k not in DROPPED_KEYS}
    if isinstance(node, list):
        return [facts_only(v) for v in node]
    return node


def render(path):
    with open(path, encoding="utf-8") as f:
        spec = json.loads(strip_comments(f.read()))
    return json.dumps(facts_only(spec), indent=2, ensure_ascii=False) + "\n"


def expected_files(src):
    files = {}
    for folder in FOLDERS:
        for name in sorted(os.listdir(os.path.join(src, folder))):
            if name.endswith(".json"):
                files[os.path.join(folder, name)] = render(os.path.join(src, folder, name))
    return files


def existing_files(dst):
    found = set()
    for folder in FOLDERS:
        d = os.path.join(dst, folder)
        if os.path.isdir(d):
            found.update(os.path.join(folder, n) for n in os.listdir(d) if n.endswith(".json"))
    return found


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = args
    if check and "--skip-missing" in argv and not os.path.isdir(src):
        print(f"{src} is absent; nothing to compare")
        return 77
    want = expected_files(src)
    stale = existing_files(dst) - set(want)
    if check:
        problems = sorted(stale)
        for rel, text in want.items():
            path = os.path.join(dst, rel)
            if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
                problems.append(rel)
        for rel in problems:
            print(f"protocol/{rel} differs from {src}/{rel}")
        print(f"{len(want)} definitions checked, {len(problems)} differ")
        return 1 if problems else 0
    for rel in stale:
        os.remove(os.path.join(dst, rel))
    for rel, text in want.items():
        os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
        with open(os.path.join(dst, rel), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wrote {len(want)} definitions to {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
