# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: committed offsets survive a broker restart (clean, then SIGKILL); consumers of
# the group resume exactly at them afterwards.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) so it can restart it on the same data
# directory; the harness's broker is left alone. SKIP without an Eddy binary (mock cluster, --bootstrap).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import expect, groups  # noqa: E402
import own_broker  # noqa: E402  (lib/, on the path through common)

from confluent_kafka import libversion  # noqa: E402

topic = group = f"compat-restart-confluent-{common.run_id}"
check = expect.checker()


def commit_and_leave(members, offsets):
    """Every member commits its share of {partition: offset}, then all leave the group."""
    for name, parts in members.assignments().items():
        members.commit(name, {p: offsets[p] for p in parts})
    for name in list(members.consumers):
        members.close(name)


def resume(bootstrap, name, partitions, committed):
    """A new member of the group: the committed offsets must be `committed`, and it must read exactly from
    there to the end of every partition."""
    tally = groups.Tally()
    members = common.Members(bootstrap, group, topic, tally, check)
    members.add(name)
    members.wait_split(f"{name} after the restart", partitions)
    seen = members.committed(name, partitions)
    print(f"{name}: committed offsets {seen}")
    check.equal(f"committed offsets seen by {name}", seen, committed)
    want = {(p, o) for p in range(partitions) for o in range(committed[p], 3 * groups.PER_PHASE)}
    members.wait(f"{name} consumes from the committed offsets", lambda: tally.has_all(want))
    for _ in range(5):  # a few more polls: anything before the committed offsets would show up too
        members.poll()
    check.problems += tally.exactly_once(f"{name} resuming at the committed offsets", want)
    return members


def body(eddy):
    bootstrap = eddy.bootstrap
    print(f"librdkafka {libversion()[0]}; own broker {bootstrap}; topic and group {topic}")
    partitions = common.create_topic(bootstrap, topic)
    for phase in range(3):
        common.produce(bootstrap, topic, phase, partitions)

    # Three members read phase 0 and commit a different offset in each partition, then leave.
    tally = groups.Tally()
    members = common.Members(bootstrap, group, topic, tally, check)
    for name in ("c1", "c2", "c3"):
        members.add(name)
    members.wait_split("three members", partitions)
    members.wait("consume phase 0", lambda: tally.has_all(groups.phase_offsets(0, partitions)))
    first = {p: 5 + p for p in range(partitions)}
    commit_and_leave(members, first)

    eddy.restart()
    print("broker restarted (SIGTERM, then started again on the same data directory)")
    members = resume(bootstrap, "c4", partitions, first)
    second = {p: groups.PER_PHASE + 7 + p for p in range(partitions)}
    commit_and_leave(members, second)

    eddy.restart(kill=True)
    print("broker restarted (SIGKILL, then started again on the same data directory)")
    members = resume(bootstrap, "c5", partitions, second)
    commit_and_leave(members, {p: 3 * groups.PER_PHASE for p in range(partitions)})


if __name__ == "__main__":
    own_broker.run("restarting the broker", check, body)
