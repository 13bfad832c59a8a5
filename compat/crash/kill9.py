#!/usr/bin/python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# Crash test: SIGKILL Eddy several times while a client produces with acks=all; every acknowledged record must survive.
"""Kills Eddy with SIGKILL while confluent-kafka-python produces to it, restarts it on the same data
directory, and checks afterwards what a consumer reads back.

Usage:
  compat/crash/kill9.py [EDDY_BINARY] [--seed N] [--kills N]
  compat/run --broker PATH --client crash     (the harness passes the bootstrap of its own broker; this
                                               test starts a second Eddy from the same binary, see README.md)

What is checked, and why:
- The producer runs with acks=all and enable.idempotence=false (idempotence is a later issue). Without
  idempotence a batch the broker wrote but whose acknowledgement was lost (the broker died after the
  write, before the response) is sent again, so it is legitimately in the log twice while the client
  saw one acknowledgement. "Read back exactly once per time it was acknowledged" therefore means here:
  each acknowledgement names a (partition, offset), and the record at that exact offset after all the
  crashes must be the acknowledged one. Every record carries a unique id (its key and value), so an
  acknowledged record appearing at its offset is the one that was acknowledged, and an extra copy
  elsewhere is a retry, reported as information only.
- Per partition, acknowledged records appear in the order of their acknowledgements (max.in.flight=1,
  so a retry cannot overtake a later batch).
- Offsets in each partition are dense (0, 1, 2, ... up to the high watermark): a torn write must be cut
  off on recovery, not skipped.
- No invalid batch is ever served: the consumer checks CRCs (check.crcs=true) and every consumer error
  (a CRC mismatch, a corrupt batch) fails the test; every record's key and value must match each other.
Randomness (when to kill) comes from --seed (printed), so a failing run can be repeated.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

PARTITIONS = 3
SKIP_EXIT_CODE = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def binary_behind(bootstrap):
    """The executable of the local process started with listeners=PLAINTEXT://<bootstrap> (compat/run's Eddy)."""
    needle = f"listeners=PLAINTEXT://{bootstrap}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            if needle in argv:
                return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
    return None


def find_binary(arg):
    """(path or None, why not): an executable argument, $EDDY_BIN, the harness's broker, ../../build."""
    if arg and os.path.isfile(arg) and os.access(arg, os.X_OK):
        return os.path.abspath(arg), ""
    if os.environ.get("EDDY_BIN"):
        return os.path.abspath(os.environ["EDDY_BIN"]), ""
    if arg and re.fullmatch(r"[\w.\-]+:\d+", arg):
        found = binary_behind(arg)
        if found:
            return found, ""
        return None, f"no local Eddy process listens on {arg} (pass the binary or set EDDY_BIN)"
    default = os.path.join(HERE, "..", "..", "build", "src", "server", "eddy")
    if os.access(default, os.X_OK):
        return os.path.abspath(default), ""
    return None, "no Eddy binary given (argument, $EDDY_BIN or build/src/server/eddy)"


class Eddy:
    """One Eddy process at a time on a fixed port and data directory; killed and restarted at will."""

    def __init__(self, binary, port, data_dir, log_path):
        self.binary, self.port, self.data_dir = binary, port, data_dir
        self.log = open(log_path, "ab")
        self.proc = None
        self.starts = 0

    def start(self):
        address = f"127.0.0.1:{self.port}"
        self.starts += 1
        self.log.write(f"\n=== start #{self.starts}\n".encode())
        self.log.flush()
        # Same process group as this script: if compat/run kills the scenario's group, Eddy goes too.
        self.proc = subprocess.Popen(
            [self.binary, "--override", f"listeners=PLAINTEXT://{address}",
             "--override", f"advertised.listeners=PLAINTEXT://{address}",
             "--override", f"log.dirs={self.data_dir}", "--override", "node.id=1"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"eddy exited with status {self.proc.returncode} while starting (start #{self.starts})")
            if port_open(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"eddy did not accept connections within 60 s (start #{self.starts})")

    def kill9(self):
        self.proc.kill()  # SIGKILL to this one process
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Acks:
    """What the producer was told, in delivery-report order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {p: [] for p in range(PARTITIONS)}  # partition -> [(offset, id)] in report order
        self.failed = {}  # id -> error text

    def on_delivery(self, err, msg):
        ident = msg.key().decode()
        with self.lock:
            if err is None:
                self.acked[msg.partition()].append((msg.offset(), ident))
            else:
                self.failed[ident] = str(err)


def produce_until(stop, producer, topic, acks, sent):
    """Produces small bursts of uniquely keyed records until stop is set; counts them in sent[0]."""
    n = 0
    while not stop.is_set():
        for _ in range(50):
            p = n % PARTITIONS
            ident = f"id-{n:07d}"
            try:
                producer.produce(topic, key=ident, value=f"{ident} p{p}", partition=p, on_delivery=acks.on_delivery)
            except BufferError:
                break
            n += 1
        producer.poll(0)
        time.sleep(0.01)  # at most ~5,000 records a second: enough to be mid-write at every kill
    sent[0] = n


def consume_all(bootstrap, topic):
    """Reads every partition from offset 0 to its end; returns ({p: [(offset, key, value)]}, [errors])."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{topic}", "enable.auto.commit": False,
                         "enable.partition.eof": True, "check.crcs": True, "fetch.error.backoff.ms": 100})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    got = {p: [] for p in range(PARTITIONS)}
    errors = []
    at_end, idle = set(), 0
    while len(at_end) < PARTITIONS and idle < 60:
        msgs = consumer.consume(1000, timeout=1)
        idle = 0 if msgs else idle + 1
        for m in msgs:
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(m.partition())
                else:
                    errors.append(f"partition {m.partition()}: {m.error()}")
                continue
            at_end.discard(m.partition())
            got[m.partition()].append((m.offset(), m.key().decode(errors="replace"), m.value().decode(errors="replace")))
    consumer.close()
    if len(at_end) < PARTITIONS:
        errors.append(f"did not reach the end of partitions {sorted(set(range(PARTITIONS)) - at_end)} "
                      f"within 60 idle polls")
    return got, errors


def check(acks, got, consume_errors, sent):
    """Returns ({check name: [problems]}, [notes]); a check passes when its list is empty."""
    results = {name: [] for name in ("no consumer error (CRC, corrupt batch)", "offsets dense from 0",
                                     "key and value of every record match", "acknowledged record at its offset",
                                     "acknowledged offsets increase", "read back in acknowledgement order",
                                     "some records acknowledged")}
    notes = []
    results["no consumer error (CRC, corrupt batch)"] += consume_errors[:10]
    total_acked = sum(len(v) for v in acks.acked.values())
    if total_acked == 0:
        results["some records acknowledged"].append("no record was acknowledged at all")
    for p in range(PARTITIONS):
        log = got[p]
        offsets = [o for o, _, _ in log]
        if offsets != list(range(len(offsets))):
            jumps = [f"{a}->{b}" for a, b in zip([-1] + offsets, offsets) if b != a + 1][:5]
            results["offsets dense from 0"].append(f"partition {p}: first jumps {jumps}")
        bad = [(o, k, v) for o, k, v in log if v != f"{k} p{p}"]
        if bad:
            results["key and value of every record match"].append(f"partition {p}: {len(bad)} records, first {bad[:3]}")
        at = {o: k for o, k, _ in log}
        acked = acks.acked[p]
        lost = [(o, i, at.get(o)) for o, i in acked if at.get(o) != i]
        if lost:
            results["acknowledged record at its offset"].append(
                f"partition {p}: {len(lost)} of {len(acked)}, first (offset, acknowledged id, found): {lost[:5]}")
        ack_offsets = [o for o, _ in acked]
        if any(b <= a for a, b in zip(ack_offsets, ack_offsets[1:])):
            results["acknowledged offsets increase"].append(f"partition {p}")
        # Acknowledged ids, in log order of their first appearance, must follow acknowledgement order.
        acked_ids = {i for _, i in acked}
        first_seen, seen = [], set()
        for _, k, _ in log:
            if k in acked_ids and k not in seen:
                seen.add(k)
                first_seen.append(k)
        if first_seen != [i for _, i in acked if i in seen]:
            results["read back in acknowledgement order"].append(f"partition {p}")
        counts = {}
        for _, k, _ in log:
            counts[k] = counts.get(k, 0) + 1
        dup = sum(1 for c in counts.values() if c > 1)
        unacked = sum(1 for k in counts if k not in acked_ids)
        notes.append(f"partition {p}: {len(log)} records in the log, {len(acked)} acknowledged, {dup} ids written "
                     f"more than once (retries after a lost acknowledgement), {unacked} unacknowledged ids present")
    notes.append(f"sent {sent}, acknowledged {total_acked}, failed deliveries {len(acks.failed)}"
                 + (f" (first: {next(iter(acks.failed.values()))})" if acks.failed else ""))
    return results, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", nargs="?", help="the Eddy binary (or, from compat/run, the harness broker's bootstrap)")
    ap.add_argument("--seed", type=int, default=None, help="random seed for the kill moments")
    ap.add_argument("--kills", type=int, default=None, help="how many times to SIGKILL (default: random 3-5)")
    args = ap.parse_args()

    kind = os.environ.get("COMPAT_BROKER_KIND", "")
    binary, why = find_binary(args.target or os.environ.get("COMPAT_BOOTSTRAP"))
    if not binary:
        if kind in ("mock", "external"):
            print(f"SKIP: the crash test starts and kills Eddy itself; {why}")
            return SKIP_EXIT_CODE
        print(f"FAIL: {why}", file=sys.stderr)
        return 1
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    kills = args.kills if args.kills is not None else rng.randint(3, 5)
    print(f"eddy {binary}; seed {seed}; {kills} kills", flush=True)

    # Under compat/run, its scratch directory (removed afterwards); standalone, a temporary one kept on failure.
    scratch = os.environ.get("COMPAT_SCRATCH") or tempfile.mkdtemp(prefix="eddy-kill9-")
    log_path = os.environ.get("KILL9_BROKER_LOG") or os.path.join(scratch, "broker.log")
    eddy = Eddy(binary, free_port(), os.path.join(scratch, "data"), log_path)
    bootstrap = f"127.0.0.1:{eddy.port}"
    topic = f"kill9-{os.environ.get('COMPAT_RUN_ID') or seed}"
    ok = False

    # compat/run stops a scenario with SIGTERM; unwind through finally so Eddy is stopped too.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        eddy.start()
        admin = AdminClient({"bootstrap.servers": bootstrap})
        try:
            admin.create_topics([NewTopic(topic, PARTITIONS, 1)], request_timeout=30)[topic].result(60)
        except KafkaException as e:
            print(f"FAIL: CreateTopics: {e}", file=sys.stderr)
            return 1
        del admin  # its connection would only add reconnect noise across the kills
        print(f"broker {bootstrap}, topic {topic} with {PARTITIONS} partitions", flush=True)

        acks = Acks()
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": False,
                             "max.in.flight.requests.per.connection": 1, "linger.ms": 5,
                             "message.timeout.ms": 60000, "retry.backoff.ms": 100,
                             "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                             "queue.buffering.max.messages": 20000})
        stop, sent = threading.Event(), [0]
        worker = threading.Thread(target=produce_until, args=(stop, producer, topic, acks, sent))
        worker.start()
        try:
            for k in range(kills):
                time.sleep(rng.uniform(0.5, 2.5))  # when to kill: random, not a timing assertion
                with acks.lock:
                    acked_so_far = sum(len(v) for v in acks.acked.values())
                eddy.kill9()
                print(f"kill #{k + 1}: SIGKILL after {acked_so_far} acknowledgements", flush=True)
                time.sleep(rng.uniform(0, 0.5))
                eddy.start()
                print(f"restart #{k + 1}: listening again", flush=True)
            time.sleep(rng.uniform(0.5, 1.5))
        finally:
            stop.set()
            worker.join()
        left = producer.flush(90)
        print(f"producer flushed; {left} records still undelivered", flush=True)

        got, consume_errors = consume_all(bootstrap, topic)
        results, notes = check(acks, got, consume_errors, sent[0])
        for n in notes:
            print(n)
        for name, problems in results.items():
            print(f"{'FAIL' if problems else 'PASS'} {name}" + (f": {'; '.join(problems)}" if problems else ""))
        failed = sum(1 for problems in results.values() if problems)
        print(f"{len(results) - failed} passed, {failed} failed")
        if failed:
            print("FAIL: " + "; ".join(f"{name}: {'; '.join(problems)}" for name, problems in results.items()
                                       if problems), file=sys.stderr)
            print(f"(repeat with --seed {seed})", file=sys.stderr)
            return 1
        ok = True
        print("ok")
        return 0
    except RuntimeError as e:
        print(f"FAIL: {e} (broker log: {log_path})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("FAIL: interrupted", file=sys.stderr)
        return 1
    finally:
        eddy.stop()
        if not ok:
            with open(log_path, "rb") as f:
                tail = f.read().decode(errors="replace").splitlines()[-30:]
            print("--- broker log (last 30 lines)\n" + "\n".join(tail), file=sys.stderr)
        if os.environ.get("COMPAT_SCRATCH"):
            pass  # compat/run removes it
        elif ok and not os.environ.get("KILL9_KEEP"):
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"data and broker log kept in {scratch}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
