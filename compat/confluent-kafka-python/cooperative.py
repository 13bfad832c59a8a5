# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python (librdkafka): the cooperative-sticky assignor rebalances incrementally (KIP-429).
#
# Members join one at a time, then one leaves. With cooperative rebalancing a member that keeps a
# partition is never told to give it up: its rebalance callbacks only revoke the partitions that move
# away and only assign the ones that arrive (an eager rebalance would revoke everything, then assign).
# The broker only has to behave as Kafka does (the protocol is client-side), which is what this checks.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import expect, groups  # noqa: E402

from confluent_kafka import KafkaException, libversion  # noqa: E402

bootstrap = expect.bootstrap()
topic = group = f"compat-coop-confluent-{common.run_id}"
check = expect.checker()


class Events:
    """Every rebalance callback of every member, in order: (member, "assign" or "revoke", set of partitions)."""

    def __init__(self):
        self.log = []

    def callbacks(self, name):
        return {"on_assign": lambda c, tps: self.log.append((name, "assign", {tp.partition for tp in tps})),
                "on_revoke": lambda c, tps: self.log.append((name, "revoke", {tp.partition for tp in tps}))}

    def since(self, mark):
        return self.log[mark:]


def check_incremental(what, events, before, after):
    """Each member's callbacks since a mark must move it from `before` to `after` ({name: partitions}) by
    revoking only what it lost and assigning only what it gained."""
    for name in after:
        held = set(before.get(name, set()))
        mine = [(kind, parts) for n, kind, parts in events if n == name]
        for kind, parts in mine:
            if kind == "revoke":
                kept_but_revoked = parts & after[name]
                check.true(f"{what}: {name} had {sorted(kept_but_revoked)} revoked although it keeps them "
                           f"(callbacks {mine})", not kept_but_revoked)
                held -= parts
            else:
                already = parts & held
                check.true(f"{what}: {name} was assigned {sorted(already)} it already held (callbacks {mine})",
                           not already)
                held |= parts
        check.equal(f"{what}: {name}'s partitions after its callbacks", held, after[name])
    print(f"{what}: callbacks {[(n, k, sorted(p)) for n, k, p in events]}")


def main():
    print(f"librdkafka {libversion()[0]}; topic and group {topic}")
    partitions = common.create_topic(bootstrap, topic)
    tally, events = groups.Tally(), Events()
    members = common.Members(bootstrap, group, topic, tally, check,
                             **{"partition.assignment.strategy": "cooperative-sticky"})
    members.add("c1", **events.callbacks("c1"))
    members.wait_split("c1 alone", partitions)
    common.produce(bootstrap, topic, 0, partitions)
    want = groups.phase_offsets(0, partitions)
    members.wait("consume phase 0", lambda: tally.has_all(want))
    members.commit("c1")

    for joiner in ("c2", "c3"):
        before, mark = members.assignments(), len(events.log)
        members.add(joiner, **events.callbacks(joiner))
        members.wait_split(f"after {joiner} joined", partitions)
        # A cooperative rebalance takes two rounds: wait for the second to settle (the split holds then).
        check_incremental(f"{joiner} joins", events.since(mark), before, members.assignments())
        kept = {n: before[n] & members.assignments()[n] for n in before}
        check.true(f"{joiner} joins: every earlier member keeps some partitions ({kept})", all(kept.values()))

    common.produce(bootstrap, topic, 1, partitions)
    want |= groups.phase_offsets(1, partitions)
    members.wait("consume phase 1", lambda: tally.has_all(want))
    check.problems += tally.exactly_once("phases 0-1 across the incremental rebalances", want)
    for name in list(members.consumers):
        members.commit(name)

    before, mark = members.assignments(), len(events.log)
    members.close("c3")
    members.wait_split("after c3 left", partitions)
    after = members.assignments()
    check_incremental("c3 leaves", events.since(mark), before, after)
    for name in after:
        check.true(f"c3 leaves: {name} lost partitions {sorted(before[name] - after[name])}",
                   before[name] <= after[name])
    for name in list(members.consumers):
        members.close(name)
    if common.kind != "mock":
        from confluent_kafka.admin import AdminClient
        AdminClient({"bootstrap.servers": bootstrap}).delete_topics([topic], request_timeout=30)
    check.finish()


try:
    main()
except (TimeoutError, KafkaException) as e:
    expect.fail(f"{type(e).__name__}: {e}")
