# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: gzip batches of about 1 MB (uncompressed) go to each of 300 partitions, first of a
# topic that keeps the producer's codec, then of one with compression.type=zstd (the broker rebuilds every
# batch). The broker decompresses each batch to validate it; the memory it keeps for that must not grow with
# the number of partitions that ever took such a batch (it kept about 1 MB per partition before). Its
# resident size may grow by at most 100 MiB over both topics (300 MB of records), and every record is
# stored (high watermarks).
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) so the resident size is its alone;
# SKIP without one.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402
from confluent_io import high_watermarks  # noqa: E402

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

PARTITIONS = 300
PER_PARTITION = 50  # records of 20 KB: one batch of about 1 MB per partition
VALUE = b"0123456789abcdefghij" * 1000  # compresses well, so each batch is small on the wire
GROWTH_LIMIT_KIB = 100 * 1024
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
check = expect.checker()


def create(bootstrap, topic, config):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1, config=config)])[topic].result(30)


def produce(bootstrap, topic):
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": "gzip", "linger.ms": 100,
                         "batch.size": 1000000, "acks": "all"})
    errors = []
    for p in range(PARTITIONS):
        for _ in range(PER_PARTITION):
            producer.produce(topic, VALUE, partition=p, on_delivery=lambda err, msg: err and errors.append(err))
        producer.poll(0)
    left = producer.flush(120)
    check.equal(f"{topic}: records not delivered", left, 0)
    check.equal(f"{topic}: delivery errors", [str(e) for e in errors[:3]], [])


def body(eddy):
    before = eddy.resident_kib()
    for name, config in (("kept", {}), ("rebuilt", {"compression.type": "zstd"})):
        topic = f"compat-compressed-memory-{name}-{run_id}"
        create(eddy.bootstrap, topic, config)
        produce(eddy.bootstrap, topic)
        check.equal(f"{topic}: records per partition", set(high_watermarks(eddy.bootstrap, topic, PARTITIONS)), {PER_PARTITION})
        growth = eddy.resident_kib() - before
        check.true(f"after {topic} the broker's resident size grew by {growth} KiB, more than {GROWTH_LIMIT_KIB}",
                   growth <= GROWTH_LIMIT_KIB)


own_broker.run("compressed_memory", check, body)
