# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# Shared by the confluent-kafka-python idempotence scenarios (idempotent, idempotent_drops): the records
# they send and how they hand them over, reading them back, and checking each came back exactly once,
# in production order.
# Not a scenario (compat/run does not scan lib/).
"""Record i goes to partition i % partitions with the key "<partition>:<i, 8 digits>", so the keys of one
partition, in log order, must be exactly that partition's share of 0..records-1, ascending."""

import time

import expect

from confluent_kafka import Consumer, TopicPartition


def key(i, partitions):
    return f"{i % partitions}:{i:08d}"


def produce(producer, topic, i, partitions, failed):
    """Hands record i to the producer, waiting for room in its queue; a delivery error goes to `failed`."""
    while True:
        try:
            producer.produce(topic, key=key(i, partitions), value=f"value-{i}", partition=i % partitions,
                             on_delivery=lambda err, msg: err and failed.append(str(err)))
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)


def flush_all(producer, failed, timeout):
    """Fails the scenario unless every record handed over is delivered within `timeout` seconds."""
    left = producer.flush(timeout)
    if left or failed:
        expect.fail(f"{left} records undelivered, delivery errors: {failed[:3]}")


def read_back(bootstrap, topic, partitions, records, group, debug):
    """Every record key of the topic, by partition, in log order: until `records` arrived (at most 120 s),
    then 2 s more, in which anything beyond them would be a duplicate."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest", **debug})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    by_partition = {p: [] for p in range(partitions)}
    deadline = time.monotonic() + 120
    while sum(len(v) for v in by_partition.values()) < records and time.monotonic() < deadline:
        for m in consumer.consume(1000, timeout=1):
            if m.error():
                expect.fail(f"consumer error {m.error()}")
            by_partition[m.partition()].append(m.key().decode())
    for m in consumer.consume(1000, timeout=2):
        if not m.error():
            by_partition[m.partition()].append(m.key().decode())
    consumer.close()
    return by_partition


def check_each_once_in_order(by_partition, partitions, records, check):
    """Adds a problem to `check` for each partition whose keys are not its share of the records, in order;
    prints what was read back."""
    total = 0
    for p, keys in by_partition.items():
        total += len(keys)
        expected = [key(i, partitions) for i in range(p, records, partitions)]
        if keys != expected:
            dupes = len(keys) - len(set(keys))
            first_diff = next((j for j, (a, b) in enumerate(zip(keys, expected)) if a != b),
                              min(len(keys), len(expected)))
            check.problems.append(
                f"partition {p}: {len(keys)} records ({dupes} duplicates), expected {len(expected)}; "
                f"first difference at position {first_diff}: "
                f"{keys[first_diff:first_diff + 3]} vs {expected[first_diff:first_diff + 3]}")
    print(f"read back {total} records: each exactly once and in production order" if not check.problems
          else f"read back {total} records")
