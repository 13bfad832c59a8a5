# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: a consumer that asks for more bytes than a topic holds (fetch.min.bytes 1 MB,
# fetch.wait.max.ms 300 s, librdkafka's largest) still gets records from segments older than the one the
# log ends in at once, as Kafka's DelayedFetch answers such a fetch without waiting for min bytes. A broker
# that waited would hold every fetch for 5 minutes, past this scenario's time.
#
# SKIP on librdkafka's mock cluster: it has no CreateTopics, so no segment.bytes.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

RECORDS = 20
POLL_BUDGET_S = 90  # far above the moment the answer takes, far below the 300 s a waiting broker takes
bootstrap = expect.bootstrap()
if os.environ.get("COMPAT_BROKER_KIND", "external") == "mock":
    print("SKIP: the mock cluster has no CreateTopics")
    sys.exit(77)
topic = f"compat-older-segment-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
print(f"topic {topic}")

admin = AdminClient({"bootstrap.servers": bootstrap})
try:
    # About six one-record batches per segment: the records span four segments.
    admin.create_topics([NewTopic(topic, 1, 1, config={"segment.bytes": "1024"})],
                        request_timeout=30)[topic].result(60)
except KafkaException as e:
    expect.fail(f"CreateTopics: {e}")

producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.timeout.ms": 30000})
errors = []
for i in range(RECORDS):
    # One record per batch, flushed alone: a batch larger than segment.bytes would be refused.
    producer.produce(topic, value=f"value-{i:03d}-".encode() * 8, key=f"key-{i}".encode(), partition=0,
                     on_delivery=lambda err, msg: err and errors.append(str(err)))
    if producer.flush(30) or errors:
        expect.fail(f"produce of record {i}: {errors[:3]}")

check = expect.checker()
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{topic}", "enable.auto.commit": False,
                     "fetch.min.bytes": 1000000, "fetch.wait.max.ms": 300000})
consumer.assign([TopicPartition(topic, 0, 0)])
got = []
deadline = time.monotonic() + POLL_BUDGET_S
while len(got) < RECORDS and time.monotonic() < deadline:
    for m in consumer.consume(RECORDS, timeout=1):
        if m.error():
            expect.fail(f"consume: {m.error()}")
        got.append((m.offset(), m.key().decode()))
consumer.close()
print(f"consumed {len(got)} records")
check.equal("records read from the older segments, in order", got, [(i, f"key-{i}") for i in range(RECORDS)])
check.finish()
