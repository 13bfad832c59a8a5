# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python: a consumer-group member that crashes loses its partitions to the others once its session
# times out, and committed offsets survive a broker crash: the members resume exactly there.
#
# Every member is a child process (this file run with --member) so a crash is a real one: SIGKILL, no
# LeaveGroup, the kernel closes its sockets. The scenario starts its own Eddy (lib/own_broker.py, from
# $COMPAT_BROKER_BIN) so it can SIGKILL it and start it again on the same data directory; SKIP without
# an Eddy binary (mock cluster, --bootstrap).
#
# Static membership (a member restarting with the same group.instance.id keeps its partitions) is not
# checked: kafka-python 2.0.2 has no group_instance_id and sends JoinGroup only up to v2 (it came with
# v5), so it cannot be a static member.
import json
import os
import queue
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import groups  # noqa: E402
import own_broker  # noqa: E402

import kafka  # noqa: E402
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

PER_PHASE = groups.PER_PHASE
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = group = f"compat-recovery-kafka-python-{run_id}"


def client_options(bootstrap):
    return {"bootstrap_servers": bootstrap, "request_timeout_ms": 30000, "api_version_auto_timeout_ms": 30000}


# --- a member: the child process

def member_main(bootstrap, name):
    """Polls the group, reports its assignment and records as JSON lines on stdout, and runs the commands
    read from stdin (commit, ping, close) between polls; exits without leaving when stdin closes."""
    if os.environ.get("COMPAT_DEBUG"):
        import logging
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format=f"[{name}] %(name)s %(message)s")

    def emit(**message):
        print(json.dumps(message), flush=True)

    commands = queue.Queue()

    def read_commands():
        for line in sys.stdin:
            commands.put(json.loads(line))
        commands.put({"cmd": "exit"})
    threading.Thread(target=read_commands, daemon=True).start()
    consumer = KafkaConsumer(group_id=group, client_id=name, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500,
                             **client_options(bootstrap))
    # Counts assignments, so the scenario can say whether the broker's restart made the group rebalance.
    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            pass

        def on_partitions_assigned(self, assigned):
            emit(rebalance=sorted(tp.partition for tp in assigned))
    consumer.subscribe([topic], listener=Listener())
    held = None
    while True:
        batches = consumer.poll(timeout_ms=100)
        now = sorted(tp.partition for tp in consumer.assignment())
        if batches:
            emit(records=[[tp.partition, r.offset, r.key.decode()] for tp, rs in batches.items() for r in rs], held=now)
        if now != held:
            held = now
            emit(assigned=now)
        while not commands.empty():
            command = commands.get()
            if command["cmd"] == "commit":
                consumer.commit({TopicPartition(topic, int(p)): OffsetAndMetadata(o, "")
                                 for p, o in command["offsets"].items()})
            elif command["cmd"] == "close":  # LeaveGroup is sent and answered before close() returns
                consumer.close()
            elif command["cmd"] == "exit":
                os._exit(0)
            emit(done=command["cmd"])
            if command["cmd"] == "close":
                return


# --- the scenario: the parent process

class Member:
    """One child process; a reader thread keeps its latest assignment and adds its records to `tally`."""

    def __init__(self, bootstrap, name, tally):
        self.name, self.tally = name, tally
        self.lock = threading.Lock()
        self.assigned, self.done, self.error, self.rebalances = set(), 0, None, 0
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--member", bootstrap, name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            message = json.loads(line)
            with self.lock:
                if "assigned" in message:
                    self.assigned = set(message["assigned"])
                if "records" in message:
                    for p, offset, key in message["records"]:
                        self.tally.add(self.name, p, offset, key, set(message["held"]))
                if "rebalance" in message:
                    self.rebalances += 1
                if "done" in message:
                    self.done += 1
        status = self.proc.wait()
        with self.lock:
            if self.error is None and status != 0:
                self.error = f"{self.name} exited with status {status}"

    def do(self, command, **args):
        with self.lock:
            before = self.done
        self.proc.stdin.write(json.dumps({"cmd": command, **args}) + "\n")
        self.proc.stdin.flush()
        groups.wait_until(f"{self.name} {command}", lambda: self.done > before or self.problem(), self.pause)
        if self.problem():
            raise RuntimeError(self.problem())

    def problem(self):
        with self.lock:
            return self.error

    @staticmethod
    def pause():
        threading.Event().wait(0.05)

    def kill(self):
        """A crash: SIGKILL, so no LeaveGroup and no commit; the kernel closes the member's sockets."""
        with self.lock:
            self.error = "killed"  # not a problem, but no command may wait on it any more
        self.proc.kill()
        self.proc.wait()

    def close(self):
        self.do("close")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Members:
    def __init__(self, bootstrap, tally):
        self.bootstrap, self.members = bootstrap, {}
        self.set_tally(tally)

    def set_tally(self, tally):
        """Records consumed from now on go to `tally`."""
        self.tally = tally
        for m in self.members.values():
            with m.lock:
                m.tally = tally

    def add(self, name):
        self.members[name] = Member(self.bootstrap, name, self.tally)

    def assignments(self):
        out = {}
        for name, m in self.members.items():
            with m.lock:
                out[name] = set(m.assigned)
        return out

    def step(self):
        errors = [m.problem() for m in self.members.values() if m.problem()]
        if errors:
            raise RuntimeError("; ".join(errors))
        Member.pause()

    def wait(self, what, condition):
        groups.wait_until(what, condition, self.step)

    def wait_split(self, what, partitions):
        self.wait(what, lambda: groups.split_problem(self.assignments(), partitions) is None)
        print(f"{what}: {groups.describe(self.assignments())}")
        return self.assignments()

    def commit(self, offsets):
        """Every member commits {partition: offset} for the partitions it holds."""
        for name, parts in self.assignments().items():
            self.members[name].do("commit", offsets={p: offsets[p] for p in parts})

    def polls(self, count):
        """`count` more polls of every member: anything consumed that should not be shows up too."""
        for _ in range(count):
            for m in self.members.values():
                m.do("ping")

    def rebalances(self):
        """{name: assignments received so far}."""
        return {name: m.rebalances for name, m in self.members.items()}

    def kill(self, name):
        self.members.pop(name).kill()

    def close(self, name):
        self.members.pop(name).close()

    def stop_all(self):
        for m in self.members.values():
            if m.proc.poll() is None:
                m.proc.kill()
                m.proc.wait()


def produce(bootstrap, phase, partitions, start, stop):
    """Records start(p)..stop(p)-1 of a phase in every partition p (lib/groups.py's keys and offsets)."""
    producer = KafkaProducer(acks="all", max_in_flight_requests_per_connection=1, linger_ms=5,
                             **client_options(bootstrap))
    futures = [producer.send(topic, key=groups.key(phase, p, i).encode(), value=f"{groups.key(phase, p, i)}:v".encode(),
                             partition=p) for p in range(partitions) for i in range(start(p), stop(p))]
    producer.flush(timeout=60)
    for f in futures:
        f.get(timeout=60)  # raises the delivery error, if any
    producer.close()
    print(f"produced phase {phase}, records [start, stop) of each partition: {[(start(p), stop(p)) for p in range(partitions)]}")
    return {(p, phase * PER_PHASE + i) for p in range(partitions) for i in range(start(p), stop(p))}


def committed_offsets(bootstrap):
    admin = KafkaAdminClient(client_id="eddy-compat-admin", **client_options(bootstrap))
    try:
        return {tp.partition: om.offset for tp, om in admin.list_consumer_group_offsets(group).items()}
    finally:
        admin.close()


def scenario(bootstrap, eddy, check):
    partitions = groups.PARTITIONS
    admin = KafkaAdminClient(client_id="eddy-compat-admin", **client_options(bootstrap))
    admin.create_topics([NewTopic(topic, partitions, 1)], timeout_ms=30000)
    admin.close()

    # (a) c3 crashes: once its session times out (6 s) c1 and c2 get its partitions, from its commit.
    tally = groups.Tally()
    members = Members(bootstrap, tally)
    try:
        for name in ("c1", "c2", "c3"):
            members.add(name)
        first = members.wait_split("three members", partitions)
        want = produce(bootstrap, 0, partitions, lambda p: 0, lambda p: PER_PHASE)
        members.wait("consume phase 0", lambda: tally.has_all(want))
        check.problems += tally.exactly_once("phase 0 with three members", want)
        # c3 commits less than it consumed, so the records its successor must read again are known.
        crash_commit = {p: (5 + p if p in first["c3"] else PER_PHASE) for p in range(partitions)}
        members.commit(crash_commit)
        members.kill("c3")
        print(f"c3 killed (SIGKILL) holding {sorted(first['c3'])}, committed {crash_commit}")
        after = groups.Tally()
        members.set_tally(after)
        members.wait_split("c1 and c2 after c3's session timed out", partitions)
        want = {(p, o) for p in first["c3"] for o in range(crash_commit[p], PER_PHASE)}

        # (b) c1 and c2 commit a different offset in every partition; the broker is SIGKILLed and started
        # again on the same data directory; c1 and c2 go on exactly from there.
        want |= produce(bootstrap, 1, partitions, lambda p: 0, lambda p: 2 + p)
        members.wait("consume the first records of phase 1", lambda: after.has_all(want))
        head = {p: PER_PHASE + 2 + p for p in range(partitions)}
        members.commit(head)
        print(f"committed {head}")
        rebalances = members.rebalances()
        eddy.restart(kill=True)
        print("broker restarted (SIGKILL, then started again on the same data directory)")
        want |= produce(bootstrap, 1, partitions, lambda p: 2 + p, lambda p: PER_PHASE // 2)
        members.wait("c1 and c2 consume across the broker restart", lambda: after.has_all(want))
        members.polls(5)
        check.problems += after.exactly_once("after c3's crash and the broker's", want)
        members.wait_split("c1 and c2 after the broker restart", partitions)
        # Either is right: Kafka keeps the group's members across a restart, a broker that does not makes
        # them join again and they restart from the committed offsets, which are where they were.
        print(f"assignments received during the restart: "
              f"{ {n: k - rebalances[n] for n, k in members.rebalances().items()} }")
        members.close("c1")
        members.close("c2")

        # A new member resumes exactly at the offsets committed before the broker crashed (c1 and c2 read
        # further but did not commit it).
        produce(bootstrap, 1, partitions, lambda p: PER_PHASE // 2, lambda p: PER_PHASE)
        fresh = groups.Tally()
        members.set_tally(fresh)
        members.add("c4")
        members.wait_split("new member c4", partitions)
        seen = committed_offsets(bootstrap)
        print(f"committed offsets seen after the restart: {seen}")
        check.equal("committed offsets after the broker restart", seen, head)
        rest = {(p, o) for p in range(partitions) for o in range(head[p], 2 * PER_PHASE)}
        members.wait("c4 consumes from the committed offsets", lambda: fresh.has_all(rest))
        members.polls(5)
        check.problems += fresh.exactly_once("c4 resuming at the committed offsets", rest)
        members.close("c4")
    finally:
        members.stop_all()


def main():
    check = expect.checker()

    def body(eddy):
        print(f"kafka-python {kafka.__version__}; own broker {eddy.bootstrap}; topic and group {topic}")
        scenario(eddy.bootstrap, eddy, check)
    own_broker.run("crashing the broker", check, body)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--member"]:
        member_main(sys.argv[2], sys.argv[3])
    else:
        main()
