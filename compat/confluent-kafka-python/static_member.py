# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python (librdkafka): a static member (group.instance.id, KIP-345) that restarts within
# its session timeout gets its partitions back and the other members see no rebalance.
#
# librdkafka sends no LeaveGroup when a static member closes; the restarted consumer joins with an empty
# member id and the same group.instance.id, and the coordinator hands it the old member's assignment.
# The restarted member is not the group's leader: Kafka rebalances when a static leader is replaced by a
# client older than KIP-814 (JoinGroup < v9, librdkafka 2.0 sends v5), so s1, which joins first and
# therefore leads, is not the one restarted.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import expect, groups  # noqa: E402

from confluent_kafka import KafkaException, libversion  # noqa: E402

SKIP_EXIT_CODE = 77
bootstrap = expect.bootstrap()
topic = group = f"compat-static-confluent-{common.run_id}"
check = expect.checker()
events = []  # (member, "assign" or "revoke", partitions) from every rebalance callback


def add(members, name):
    record = lambda kind: lambda c, tps: events.append((name, kind, sorted(tp.partition for tp in tps)))  # noqa: E731
    members.add(name, on_assign=record("assign"), on_revoke=record("revoke"))


def main():
    if common.kind == "mock":
        print("SKIP: librdkafka's mock cluster has no static membership (group.instance.id is ignored)")
        return SKIP_EXIT_CODE
    print(f"librdkafka {libversion()[0]}; topic and group {topic}")
    partitions = common.create_topic(bootstrap, topic)
    tally = groups.Tally()
    # A session timeout long enough that the restart below always fits in it.
    members = common.Members(bootstrap, group, topic, tally, check, **{"session.timeout.ms": 45000})
    instance = {}
    for name in ("s1", "s2", "s3"):
        members.conf["group.instance.id"] = instance[name] = f"{group}-{name}"
        add(members, name)
        if name == "s1":  # s1 first and alone, so it becomes the leader
            members.wait_split("s1 alone", partitions)
    members.wait_split("three static members", partitions)
    before = members.assignments()
    common.produce(bootstrap, topic, 0, partitions)
    want = groups.phase_offsets(0, partitions)
    members.wait("consume phase 0", lambda: tally.has_all(want))
    for name in list(members.consumers):
        members.commit(name)

    mark = len(events)
    members.close("s3")
    print("s3 closed (no LeaveGroup for a static member); starting it again with the same group.instance.id")
    members.conf["group.instance.id"] = instance["s3"]
    add(members, "s3")
    members.wait("the restarted s3 gets partitions", lambda: members.assignments()["s3"])
    after = members.assignments()
    print(f"after the restart: {groups.describe(after)}; callbacks since: {events[mark:]}")
    check.equal("the restarted s3's partitions", after["s3"], before["s3"])
    others = [e for e in events[mark:] if e[0] != "s3"]
    check.equal("rebalance callbacks of s1 and s2 during s3's restart", others, [])

    common.produce(bootstrap, topic, 1, partitions)
    want |= groups.phase_offsets(1, partitions)
    members.wait("consume phase 1", lambda: tally.has_all(want))
    check.problems += tally.exactly_once("phases 0-1 across the restart of s3", want)
    check.equal("rebalance callbacks of s1 and s2 until the end", [e for e in events[mark:] if e[0] != "s3"], [])
    for name in list(members.consumers):
        members.close(name)
    check.finish()


try:
    sys.exit(main())
except (TimeoutError, KafkaException) as e:
    expect.fail(f"{type(e).__name__}: {e}")
