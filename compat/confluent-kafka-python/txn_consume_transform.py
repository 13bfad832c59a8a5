# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: consume-transform-produce, exactly once. An application consumes an input topic
# (read_committed, no auto commit) in a group and, per batch, in one transaction produces a transformed
# record per input record to an output topic and commits the batch's offsets (send_offsets_to_transaction).
# Every third batch is aborted instead; the application then seeks back to the group's committed offsets
# and does the batch again. In the end a read_committed reader of the output sees every input record exactly
# once, in input order per partition, and the group's committed offsets are the input's end offsets.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import common  # noqa: E402  (confluent-kafka-python/common.py, next to this file)
import expect  # noqa: E402
import txn  # noqa: E402

from confluent_kafka import KafkaException, Producer, TopicPartition  # noqa: E402

PARTITIONS = 3
PER_PARTITION = 40
BATCH = 7
bootstrap = expect.bootstrap()
source = f"compat-ctp-in-confluent-{txn.run_id}"
sink = f"compat-ctp-out-confluent-{txn.run_id}"
group = f"compat-ctp-confluent-{txn.run_id}"
check = expect.checker()


def fill_input(partitions):
    """PER_PARTITION plain records in each partition of the input; returns {p: [key]}."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, **txn.debug})
    errors = []
    keys = {p: [f"in-p{p}-{i:03d}" for i in range(PER_PARTITION)] for p in range(partitions)}
    txn.produce(producer, source, keys, errors)
    left = producer.flush(60)
    if left or errors:
        expect.fail(f"producing the input: {left} undelivered, errors {errors[:3]}")
    return keys


def rewind(consumer):
    """Seeks every assigned partition back to the group's committed offset (the start when none)."""
    assigned = consumer.assignment()
    for tp in consumer.committed(assigned, timeout=30):
        consumer.seek(TopicPartition(source, tp.partition, tp.offset if tp.offset >= 0 else 0))


def transform(partitions, end):
    """Runs the application until the committed offsets reach `end`; returns how many records it aborted."""
    consumer = txn.consumer(bootstrap, "read_committed", group=group, **{"session.timeout.ms": 10000})
    consumer.subscribe([source])
    producer = txn.transactional_producer(bootstrap, f"compat-ctp-{txn.run_id}")
    committed = {p: 0 for p in range(partitions)}
    batches = aborted = 0
    idle = 0
    while committed != end:
        msgs = consumer.consume(BATCH, timeout=1)
        if not msgs:
            idle += 1
            if idle > 120:
                expect.fail(f"nothing to consume for 120 polls; committed {committed}, input ends at {end}")
            continue
        idle = 0
        for m in msgs:
            if m.error():
                expect.fail(f"consumer error {m.error()}")
        producer.begin_transaction()
        errors = []
        nxt = {}
        for m in msgs:
            producer.produce(sink, key=b"out-" + m.key(), value=m.value(), partition=m.partition(),
                             on_delivery=lambda err, msg: err and errors.append(str(err)))
            nxt[m.partition()] = m.offset() + 1
        producer.send_offsets_to_transaction([TopicPartition(source, p, o) for p, o in nxt.items()],
                                             consumer.consumer_group_metadata(), 60)
        batches += 1
        # The mock stores no transactional offsets and writes no abort markers: no aborts there.
        if txn.markers and batches % 3 == 2:
            # Flushed first, so the aborted output really is in the log for read_committed to skip.
            producer.flush(60)
            producer.abort_transaction(60)
            aborted += len(msgs)
            rewind(consumer)
        else:
            producer.commit_transaction(60)
            committed.update(nxt)
        if errors:
            expect.fail(f"delivery errors: {errors[:3]}")
    print(f"transformed the input in {batches} transactions, {aborted} records in aborted ones")
    consumer.close()
    return aborted


partitions = common.create_topic(bootstrap, source, PARTITIONS)
common.create_topic(bootstrap, sink, partitions)
expected_in = fill_input(partitions)
end = {p: len(k) for p, k in expected_in.items()}
print(f"input {source}: {PER_PARTITION} records in each of {partitions} partitions")
try:
    aborted = transform(partitions, end)
except KafkaException as e:
    expect.fail(f"transactional application: {e}")

expected_out = {p: [f"out-{k}" for k in keys] for p, keys in expected_in.items()}
if txn.markers:
    seen = txn.read(bootstrap, sink, partitions, "read_committed", txn.has_all(expected_out))
    print(f"read_committed output: {txn.count(seen)} records")
    txn.compare(check, "read_committed output", seen, expected_out)
seen_all = txn.read(bootstrap, sink, partitions, "read_uncommitted",
                    lambda s: txn.count(s) >= txn.count(expected_out) + aborted)
print(f"read_uncommitted output: {txn.count(seen_all)} records")
check.equal("read_uncommitted output record count (committed + aborted)", txn.count(seen_all),
            txn.count(expected_out) + aborted)

if not txn.markers:
    print("mock cluster: it stores no transactional offsets, so the group's offsets are not checked")
    check.finish()
# A new member of the group starts where the application's transactions left it: at the input's end.
reader = txn.consumer(bootstrap, "read_committed", group=group)
offsets = reader.committed([TopicPartition(source, p) for p in range(partitions)], timeout=30)
reader.close()
check.equal("group's committed offsets", {tp.partition: tp.offset for tp in offsets}, end)
check.finish()
