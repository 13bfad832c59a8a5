# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# Shared by the confluent-kafka-python transaction scenarios (transactions, txn_consume_transform,
# txn_fencing, txn_broker_kill; their topics come from confluent-kafka-python/common.py): a transactional
# producer, and reading a topic back at either isolation level. Not a scenario (compat/run does not scan lib/).
"""Every record these scenarios send has a unique key, so what a consumer saw can be compared with the
keys that were committed, aborted or left open, partition by partition, in log order.

The mock cluster (librdkafka 2.0.2) answers the transactional requests but writes no transaction markers,
keeps no last stable offset and stores no TxnOffsetCommit; the scenarios therefore check on the mock
only what the client does (the calls succeed, read_uncommitted sees everything) and say so.
"""

import os
import time

import expect

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

kind = os.environ.get("COMPAT_BROKER_KIND", "external")
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
debug_on = bool(os.environ.get("COMPAT_DEBUG"))
# What a debugging run logs: the transaction manager (eos), requests, and the consumer's fetches.
debug = {"debug": "eos,protocol,broker,msg,fetch"} if debug_on else {}
# The mock cannot show what a read_committed consumer would see (no markers, no LSO).
markers = kind != "mock"


def transactional_producer(bootstrap, transactional_id, **conf):
    """A producer with `transactional.id`, after init_transactions()."""
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                         "linger.ms": 5, "message.timeout.ms": 60000, **conf, **debug})
    producer.init_transactions(60)
    return producer


def produce(producer, topic, keys_by_partition, errors):
    """Hands one record per key to the producer (value = "v:" + key); delivery errors go to `errors`."""
    for p, keys in keys_by_partition.items():
        for k in keys:
            while True:
                try:
                    producer.produce(topic, key=k, value=f"v:{k}", partition=p,
                                     on_delivery=lambda err, msg: err and errors.append(str(err)))
                    break
                except BufferError:
                    producer.poll(0.05)
    producer.poll(0)


def consumer(bootstrap, isolation, group=None, **conf):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group or f"txn-reader-{run_id}",
                     "isolation.level": isolation, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", **conf, **debug})


def read(bootstrap, topic, partitions, isolation, done, quiet=2.0, bound=90):
    """{partition: [(offset, key)]} of `topic` from offset 0 at `isolation`.

    Reads until done(seen) holds, then `quiet` seconds more (a record that should not be there gets its
    chance to show up), or until `bound` seconds passed (then the caller's comparison reports what is
    missing). Any consumer error fails the scenario.
    """
    c = consumer(bootstrap, isolation)
    c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    seen = {p: [] for p in range(partitions)}
    end = time.monotonic() + bound
    quiet_end = None
    while time.monotonic() < (quiet_end or end):
        for m in c.consume(500, timeout=0.5):
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    continue
                c.close()
                expect.fail(f"{isolation} consumer of {topic}: {m.error()}")
            seen[m.partition()].append((m.offset(), m.key().decode() if m.key() is not None else None))
        if quiet_end is None and done(seen):
            quiet_end = time.monotonic() + quiet
    c.close()
    return seen


def keys_of(seen):
    return {p: [k for _, k in records] for p, records in seen.items()}


def count(seen):
    return sum(len(v) for v in seen.values())


def has_all(expected):
    """A done() for read(): at least as many records per partition as `expected` ({p: [key]})."""
    return lambda seen: all(len(seen[p]) >= len(keys) for p, keys in expected.items())


def compare(check, what, seen, expected):
    """Per partition, the keys seen must be exactly `expected` ({p: [key]}), in that order."""
    got = keys_of(seen)
    for p in sorted(expected):
        want, have = expected[p], got.get(p, [])
        if have == want:
            continue
        extra = [k for k in have if k not in set(want)]
        missing = [k for k in want if k not in set(have)]
        check.problems.append(
            f"{what}, partition {p}: {len(have)} records, expected {len(want)}; "
            f"unexpected {extra[:4]}{'...' if len(extra) > 4 else ''}, "
            f"missing {missing[:4]}{'...' if len(missing) > 4 else ''}"
            + ("" if extra or missing else f"; order differs: {have[:6]}..."))
