# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Feeds message bodies from an independent Kafka implementation to eddy_codec_roundtrip.

    run_crosscheck.py --tool PATH kafka-python [--python /usr/bin/python3]
    run_crosscheck.py --tool PATH node --node-modules DIR [--node node]

Runs the vector generator, pipes every vector through the tool (decode with the
generated type, re-encode, compare bytes), prints a count per implementation, message
and version, and details of every failure. Exit status: 0 when every vector
round-trips, 1 on any failure, 77 (ctest's skip code) when the implementation is not
installed, so a missing package shows up as a skip and never as a pass.
"""

import argparse
import collections
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
APIS = ["ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets", "FindCoordinator",
        "JoinGroup", "SyncGroup", "OffsetCommit", "OffsetFetch", "CreateTopics"]


def generate(args):
    if args.implementation == "kafka-python":
        cmd = [args.python, os.path.join(HERE, "kafka_python_vectors.py")]
    else:
        cmd = [args.node, os.path.join(HERE, "node_vectors.mjs"), args.node_modules]
    # Run from HERE's parent: kafka-python must not see a local `struct.py` or the like.
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=os.path.dirname(HERE))
        sys.stderr.write(proc.stderr)
        returncode = proc.returncode
    except FileNotFoundError as e:
        print("%s: %s" % (cmd[0], e))
        returncode = SKIP
    if returncode == SKIP:
        print("*" * 72)
        print("SKIP: %s vectors unavailable (see message above); NOT cross-checked"
              % args.implementation)
        print("*" * 72)
        sys.exit(SKIP)
    if returncode != 0:
        print("FAIL: vector generator %s exited with %d" % (cmd, proc.returncode))
        sys.exit(1)
    return [line.split() for line in proc.stdout.splitlines() if line.strip()]


def first_difference(a_hex, b_hex):
    a = bytes.fromhex("" if a_hex == "-" else a_hex)
    b = bytes.fromhex("" if b_hex == "-" else b_hex)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("implementation", choices=["kafka-python", "node"])
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--node", default="node")
    parser.add_argument("--node-modules", default=os.path.join(HERE, "../../../compat/node_modules"))
    args = parser.parse_args()

    vectors = generate(args)
    if not vectors:
        print("FAIL: the generator produced no vectors")
        return 1
    tool_input = "".join("%s %s %s\n" % (schema, version, hex_)
                         for _source, schema, version, hex_ in vectors)
    proc = subprocess.run([args.tool], input=tool_input, stdout=subprocess.PIPE, text=True)
    verdicts = proc.stdout.splitlines()
    if proc.returncode != 0 or len(verdicts) != len(vectors):
        print("FAIL: %s exited with %d after %d of %d verdicts"
              % (args.tool, proc.returncode, len(verdicts), len(vectors)))
        return 1

    counts = collections.OrderedDict()
    failures = []
    for (source, schema, version, hex_), verdict in zip(vectors, verdicts):
        key = (source, schema, int(version))
        ok, total = counts.get(key, (0, 0))
        passed = verdict == "OK"
        counts[key] = (ok + passed, total + 1)
        if not passed:
            failures.append((key, hex_, verdict))

    print("%-14s %-26s %4s %9s" % ("source", "message", "ver", "ok/total"))
    for (source, schema, version), (ok, total) in counts.items():
        mark = "" if ok == total else "   <-- FAIL"
        print("%-14s %-26s %4d %4d/%-4d%s" % (source, schema, version, ok, total, mark))

    # Every API must have produced something, so a generator that silently lost an
    # API cannot pass.
    covered = {schema for _source, schema, _version in counts}
    missing = [api + "Request" for api in APIS if api + "Request" not in covered]
    if missing:
        print("FAIL: no vectors for %s" % ", ".join(missing))

    shown = collections.Counter()
    for (source, schema, version), hex_, verdict in failures:
        shown[(source, schema, version)] += 1
        if shown[(source, schema, version)] > 3:
            continue
        parts = verdict.split()
        reencoded = parts[2] if len(parts) > 2 else "-"
        print("\nFAIL %s %s v%d: %s" % (source, schema, version, parts[1] if len(parts) > 1 else verdict))
        print("  input     (%d bytes): %s" % (0 if hex_ == "-" else len(hex_) // 2, hex_[:400]))
        if reencoded != "-":
            print("  reencoded (%d bytes): %s" % (len(reencoded) // 2, reencoded[:400]))
            print("  first differing byte offset: %d" % first_difference(hex_, reencoded))

    total = sum(t for _ok, t in counts.values())
    print("\n%s: %d vectors, %d failed, %d (message, version) pairs"
          % (args.implementation, total, len(failures), len(counts)))
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main())
