# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: a consumer group under steady production goes through three rebalances (a
# member joins, a member is SIGKILLed, a member leaves); with commits after processing, every record
# acknowledged to the producer is processed at least once, and a record is processed twice only when it
# had not been committed yet when its partition moved.
"""Each member is a subprocess (`at_least_once.py --worker NAME BOOTSTRAP TOPIC`), so one can be killed.
A worker prints one line per event on stdout, with time.monotonic() (one clock for every process here):
  A <t> <partitions>          assigned (eager protocol: its whole assignment)
  R <t> <partitions>          revoked
  P <t> <partition> <offset>  processed a record
  C <t> <partition> <offset>  a synchronous commit of <offset> (the next record to process) succeeded
The rule for duplicates: processing (p, o) again at time t is wrong if some member had committed an
offset > o for p before t: that record was committed, so nobody should have been handed it again.
"""
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import expect, groups  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402


def worker(name, bootstrap, topic):
    """One member: consume, 'process' (print), commit what was processed; exit on SIGTERM after close()."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    out = sys.stdout

    def say(*fields):
        out.write(" ".join(str(f) for f in fields) + "\n")
        out.flush()

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": topic, "client.id": name, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                  **common.debug})
    c.subscribe([topic], on_assign=lambda cons, tps: say("A", time.monotonic(), ",".join(str(tp.partition) for tp in tps)),
                on_revoke=lambda cons, tps: say("R", time.monotonic(), ",".join(str(tp.partition) for tp in tps)))
    while not stop.is_set():
        done = {}
        for m in c.consume(200, timeout=0.2):
            if m.error():
                say("E", time.monotonic(), str(m.error()).replace("\n", " "))
                continue
            say("P", time.monotonic(), m.partition(), m.offset())
            done[m.partition()] = m.offset() + 1
        if done:
            try:
                c.commit(offsets=[TopicPartition(topic, p, o) for p, o in done.items()], asynchronous=False)
                for p, o in done.items():
                    say("C", time.monotonic(), p, o)
            except KafkaException as e:  # e.g. a rebalance under way: the work stays uncommitted
                say("E", time.monotonic(), f"commit: {e}")
    c.close()
    say("X", time.monotonic())


class Worker:
    """The parent's view of one worker subprocess: its events, read by a thread from its stdout."""

    def __init__(self, name, bootstrap, topic, journal):
        self.name, self.journal = name, journal
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", name, bootstrap, topic],
                                     stdout=subprocess.PIPE, text=True)
        self.assigned = set()
        self.processed = 0
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            kind, t, *rest = line.split(" ", 2)
            rest = rest[0].strip() if rest else ""
            with self.journal.lock:
                if kind == "A":
                    self.assigned = {int(p) for p in rest.split(",") if p}
                elif kind == "R":
                    self.assigned -= {int(p) for p in rest.split(",") if p}
                elif kind == "P":
                    p, o = map(int, rest.split())
                    self.journal.processed.append((float(t), p, o, self.name))
                    self.processed += 1
                elif kind == "C":
                    p, o = map(int, rest.split())
                    self.journal.commits.append((float(t), p, o, self.name))
                elif kind == "E":
                    self.journal.notes.append(f"{self.name}: {rest}")

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.reader.join()

    def leave(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.reader.join()


class Journal:
    def __init__(self):
        self.lock = threading.Lock()
        self.processed = []  # (time, partition, offset, worker)
        self.commits = []    # (time, partition, committed offset, worker)
        self.notes = []
        self.acked = set()   # (partition, offset) acknowledged to the producer


def produce_steadily(bootstrap, topic, partitions, journal, stop):
    """About 300 records a second, round-robin over the partitions, until stop is set; then flush."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "message.timeout.ms": 60000,
                         **common.debug})

    def delivered(err, msg):
        if err is None:
            with journal.lock:
                journal.acked.add((msg.partition(), msg.offset()))
    n = 0
    while not stop.is_set():
        for _ in range(6):
            producer.produce(topic, key=f"r{n}", value=f"record {n}", partition=n % partitions, on_delivery=delivered)
            n += 1
        producer.poll(0)
        time.sleep(0.02)
    left = producer.flush(60)
    if left:
        journal.notes.append(f"producer: {left} records undelivered")


def check_journal(journal, check):
    with journal.lock:
        processed = sorted(journal.processed)
        commits = sorted(journal.commits)
        acked = set(journal.acked)
    seen = {}
    for t, p, o, name in processed:
        seen.setdefault((p, o), []).append((t, name))
    lost = sorted(acked - set(seen))
    check.true(f"{len(lost)} acknowledged records never processed, first {lost[:5]}", not lost)
    # Highest committed offset per partition before each moment: scan commits in time order.
    wrong = []
    dup_count = 0
    for (p, o), times in seen.items():
        for t, name in times[1:]:
            dup_count += 1
            committed_before = max((c_o for c_t, c_p, c_o, _ in commits if c_p == p and c_t < t), default=0)
            if committed_before > o:
                wrong.append((p, o, name, committed_before))
    check.true(f"{len(wrong)} records processed again after they had been committed, first "
               f"(partition, offset, by, committed offset) {wrong[:5]}", not wrong)
    print(f"acknowledged {len(acked)}, processed {len(processed)} times ({len(seen)} distinct records), "
          f"{dup_count} reprocessed (uncommitted when their partition moved), {len(commits)} commits")


def main():
    bootstrap = expect.bootstrap()
    topic = f"compat-alo-confluent-{common.run_id}"
    check = expect.checker()
    partitions = common.create_topic(bootstrap, topic)
    print(f"topic and group {topic}, {partitions} partitions")
    journal = Journal()
    workers = {}

    def split(names):
        with journal.lock:
            return groups.split_problem({n: set(workers[n].assigned) for n in names}, partitions) is None

    def progressed(names, since):
        with journal.lock:
            return all(workers[n].processed > since.get(n, 0) for n in names)

    def counts():
        with journal.lock:
            return {n: w.processed for n, w in workers.items()}

    def wait(what, condition):
        groups.wait_until(what, condition, lambda: time.sleep(0.1))
        print(f"{what}: " + ", ".join(f"{n}={sorted(w.assigned)}" for n, w in workers.items() if w.proc.poll() is None))

    stop = threading.Event()
    producer = threading.Thread(target=produce_steadily, args=(bootstrap, topic, partitions, journal, stop))
    try:
        for name in ("w1", "w2"):
            workers[name] = Worker(name, bootstrap, topic, journal)
        wait("w1 and w2 share the topic", lambda: split(["w1", "w2"]))
        producer.start()
        mark = counts()
        wait("w1 and w2 process records", lambda: progressed(["w1", "w2"], mark))

        workers["w3"] = Worker("w3", bootstrap, topic, journal)  # rebalance 1: a member joins
        wait("rebalance 1 (w3 joined)", lambda: split(["w1", "w2", "w3"]))
        mark = counts()
        wait("w1, w2 and w3 process records", lambda: progressed(["w1", "w2", "w3"], mark))

        workers["w1"].kill()  # rebalance 2: a member dies; the coordinator notices at its session timeout
        print("w1 SIGKILLed")
        wait("rebalance 2 (w1 killed)", lambda: split(["w2", "w3"]))
        mark = counts()
        wait("w2 and w3 process records", lambda: progressed(["w2", "w3"], mark))

        workers["w2"].leave()  # rebalance 3: a member leaves cleanly (LeaveGroup)
        print("w2 left")
        wait("rebalance 3 (w2 left)", lambda: split(["w3"]))
        mark = counts()
        wait("w3 processes records", lambda: progressed(["w3"], mark))

        stop.set()
        producer.join()

        def all_processed():
            with journal.lock:
                return journal.acked <= {(p, o) for _, p, o, _ in journal.processed}
        wait("every acknowledged record processed", all_processed)
        workers["w3"].leave()
    finally:
        stop.set()
        if producer.is_alive():
            producer.join()
        for w in workers.values():
            if w.proc.poll() is None:
                w.kill()
    for note in journal.notes[:10]:
        print(f"note: {note}")
    check_journal(journal, check)
    check.finish()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
    else:
        try:
            main()
        except (TimeoutError, KafkaException) as e:
            expect.fail(f"{type(e).__name__}: {e}")
