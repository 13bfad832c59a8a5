# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: transactions across broker crashes (SIGKILL, restart on the same data directory).
#   1. Producer A commits a transaction; the broker is killed the moment commit_transaction returns (its
#      markers may not be written yet): after the restart that transaction is fully visible.
#   2. A opens a transaction, writes and flushes, and the broker is killed. After the restart producer B,
#      with A's transactional.id, init_transactions: A's transaction ends aborted, none of it visible; B's
#      own transaction commits.
#   3. Producer C (another transactional.id, transaction.timeout.ms 5 s) leaves a flushed transaction open
#      and the broker is killed. Nobody resumes C: after the restart the coordinator aborts it when its
#      timeout passes, and records a plain producer writes afterwards become visible to read_committed.
# In the end read_committed sees exactly the committed transactions and the plain records, never a part
# of an open or aborted one; read_uncommitted sees every record that was acknowledged.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) so it can kill it; SKIP without one.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import common  # noqa: E402  (confluent-kafka-python/common.py, next to this file)
import expect  # noqa: E402
import own_broker  # noqa: E402
import txn  # noqa: E402

from confluent_kafka import Producer  # noqa: E402

PARTITIONS = 3
PER_PARTITION = 10
topic = f"compat-txn-kill-confluent-{txn.run_id}"
check = expect.checker()


def keys(tag):
    return {p: [f"{tag}-p{p}-{i:03d}" for i in range(PER_PARTITION)] for p in range(PARTITIONS)}


def write(producer, batch, outcome):
    """One transaction of `batch`, flushed; committed, or left open ("open")."""
    errors = []
    producer.begin_transaction()
    txn.produce(producer, topic, batch, errors)
    producer.flush(60)
    if outcome == "commit":
        producer.commit_transaction(60)
    if errors:
        expect.fail(f"delivery errors: {errors[:3]}")


def main(broker):
    bootstrap = broker.bootstrap
    common.create_topic(bootstrap, topic, PARTITIONS)
    order = []  # every acknowledged batch, in the order written (per partition too)
    visible = []  # the batches read_committed must show

    a = txn.transactional_producer(bootstrap, f"compat-kill-a-{txn.run_id}")
    t1 = keys("t1-committed")
    write(a, t1, "commit")
    order.append(t1)
    visible.append(t1)
    broker.restart(kill=True)
    print("1. A committed t1; broker killed as commit_transaction returned, and restarted")

    t2 = keys("t2-open-at-kill")
    write(a, t2, "open")
    order.append(t2)
    broker.restart(kill=True)
    print("2. A opened t2 and flushed it; broker killed and restarted")
    b = txn.transactional_producer(bootstrap, f"compat-kill-a-{txn.run_id}")
    print("   B (A's transactional.id): init_transactions returned")
    t3 = keys("t3-committed-by-b")
    write(b, t3, "commit")
    order.append(t3)
    visible.append(t3)
    print("   B committed t3")

    c = txn.transactional_producer(bootstrap, f"compat-kill-c-{txn.run_id}",
                                   **{"transaction.timeout.ms": 5000, "message.timeout.ms": 5000})
    t4 = keys("t4-open-times-out")
    write(c, t4, "open")
    order.append(t4)
    broker.restart(kill=True)
    print("3. C opened t4 (timeout 5 s) and flushed it; broker killed and restarted; C is not used again")
    plain = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, **txn.debug})
    after = keys("plain-after")
    errors = []
    txn.produce(plain, topic, after, errors)
    left = plain.flush(60)
    if left or errors:
        expect.fail(f"plain producer after the restart: {left} undelivered, errors {errors[:3]}")
    order.append(after)
    visible.append(after)
    print("   a plain producer wrote records after t4")

    def joined(batches):
        return {p: [k for b in batches for k in b[p]] for p in range(PARTITIONS)}

    # Waits (up to 90 s) for the plain records: read_committed reaches them only once t4 was aborted.
    seen = txn.read(bootstrap, topic, PARTITIONS, "read_committed", txn.has_all(joined(visible)))
    print(f"read_committed: {txn.count(seen)} records")
    txn.compare(check, "read_committed (t1, t3, plain records)", seen, joined(visible))
    seen_all = txn.read(bootstrap, topic, PARTITIONS, "read_uncommitted", txn.has_all(joined(order)))
    print(f"read_uncommitted: {txn.count(seen_all)} records")
    txn.compare(check, "read_uncommitted (every acknowledged record)", seen_all, joined(order))


own_broker.run("killing and restarting the broker", check, main)
