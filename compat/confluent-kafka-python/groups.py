# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: three consumers of one group share a 6-partition topic, one leaves and its
# partitions move, committed offsets are where a new member resumes; list and describe the group.
#
# confluent-kafka-python 1.7.0's AdminClient has list_groups (ListGroups + DescribeGroups) but no
# DeleteGroups; the librdkafka C scenario deletes groups.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import expect, groups  # noqa: E402

from confluent_kafka import KafkaException, libversion, version  # noqa: E402
from confluent_kafka.admin import AdminClient  # noqa: E402

bootstrap = expect.bootstrap()
kind = common.kind
topic = group = f"compat-groups-confluent-{common.run_id}"
print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}; topic and group {topic}")
check = expect.checker()


def group_listing(admin):
    """The group as list_groups shows it (ListGroups, then DescribeGroups), or None when it is not listed."""
    found = [g for g in admin.list_groups(timeout=30) if g.id == group]
    return found[0] if found else None


class Hooks(groups.Hooks):
    def __init__(self, admin):
        self.admin = admin  # None on the mock (no ListGroups/DescribeGroups); compared with None: len(AdminClient) is 0

    def three_members(self, assignments):
        if self.admin is None:
            print("mock cluster: no ListGroups/DescribeGroups; admin part skipped")
            return
        g = group_listing(self.admin)
        check.true("list_groups does not show the active group", g is not None)
        if g is not None:
            print(f"list_groups: {g.id} state {g.state}, protocol {g.protocol_type}/{g.protocol}, "
                  f"members {sorted(m.client_id for m in g.members)}")
            check.equal("group state with three members", g.state, "Stable")
            check.equal("protocol type", g.protocol_type, "consumer")
            check.equal("member client ids", sorted(m.client_id for m in g.members), ["c1", "c2", "c3"])

    def committed(self, newcomer, partitions):
        return newcomer.committed("c4", partitions)

    def one_member(self):
        if self.admin is not None:
            g = group_listing(self.admin)
            print(f"with c4 alone: {g and g.state}, members {g and [m.client_id for m in g.members]}")
            check.equal("members with c4 alone", g and [m.client_id for m in g.members], ["c4"])

    def all_left(self):
        if self.admin is not None:
            g = group_listing(self.admin)
            print(f"after every member left: {g and g.state}, members {g and len(g.members)}")
            check.equal("state and members after every member left (still listed: it has offsets)",
                        g and (g.state, len(g.members)), ("Empty", 0))


def main():
    admin = AdminClient({"bootstrap.servers": bootstrap, **common.debug})
    partitions = common.create_topic(bootstrap, topic)
    print(f"{topic} has {partitions} partitions")
    groups.share_and_resume(lambda tally: common.Members(bootstrap, group, topic, tally, check),
                            lambda phase: common.produce(bootstrap, topic, phase, partitions),
                            partitions, check, Hooks(admin if kind != "mock" else None))
    if kind != "mock":
        admin.delete_topics([topic], request_timeout=30)
    check.finish()


try:
    main()
except (TimeoutError, KafkaException) as e:
    expect.fail(f"{type(e).__name__}: {e}")
