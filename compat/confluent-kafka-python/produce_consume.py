# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: create a 3-partition topic, produce 10,000 keyed records with headers per codec, read all back.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import records  # noqa: E402

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka import TIMESTAMP_CREATE_TIME, version, libversion  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

bootstrap = expect.bootstrap()
kind = os.environ.get("COMPAT_BROKER_KIND", "external")
topic = f"compat-pc-confluent-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
debug = {"debug": "protocol,broker,topic,msg"} if os.environ.get("COMPAT_DEBUG") else {}
print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}; topic {topic}")

admin = AdminClient({"bootstrap.servers": bootstrap, **debug})
if kind == "mock":
    # librdkafka 2.0's mock cluster has no CreateTopics; it creates a topic (4 partitions) when Metadata names it.
    print("mock cluster: relying on auto-creation")
    admin.list_topics(topic, timeout=30)
else:
    try:
        admin.create_topics([NewTopic(topic, records.PARTITIONS, 1)], request_timeout=30)[topic].result(60)
        print(f"created {topic} with {records.PARTITIONS} partitions")
    except KafkaException as e:
        expect.fail(f"CreateTopics: {e}")
base = records.base_timestamp()
for codec in records.CODECS:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.codec": codec,
                         "linger.ms": 5, "enable.idempotence": False, "max.in.flight": 1,
                         "message.timeout.ms": 30000, **debug})
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(f"{msg.key()!r}: {err}")

    for r in records.records(codec, base):
        while True:
            try:
                producer.produce(topic, value=r.value, key=r.key, partition=r.partition, headers=r.headers,
                                 timestamp=r.timestamp, on_delivery=delivered)
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(60)
    if left or errors:
        expect.fail(f"produce {codec}: {left} undelivered, {len(errors)} failed, first: {errors[:3]}")
    print(f"produced {records.COUNT} records with compression.codec={codec}")

# Asked after producing, so the new topic's metadata has certainly reached the broker.
partitions = len(admin.list_topics(topic, timeout=30).topics[topic].partitions)
print(f"{topic} has {partitions} partitions")

# Read every partition from offset 0 up to its high watermark, without a consumer group.
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{topic}", "enable.auto.commit": False,
                     "enable.partition.eof": True, "check.crcs": True, **debug})
consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
consumed = {p: [] for p in range(partitions)}
at_end = set()
problems = []
idle = 0
while len(at_end) < partitions:
    # consume() waits for the whole batch or the timeout, so keep the timeout short and count idle rounds.
    msgs = consumer.consume(1000, timeout=1)
    idle = 0 if msgs else idle + 1
    if idle >= 30:
        expect.fail(f"nothing consumed in 30 polls; partitions at end: {sorted(at_end)}, "
                    f"consumed so far: { {p: len(v) for p, v in consumed.items()} }")
    for m in msgs:
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(m.partition())
                continue
            expect.fail(f"consume: {m.error()}")
        at_end.discard(m.partition())
        ts_type, ts = m.timestamp()
        if ts_type != TIMESTAMP_CREATE_TIME:
            problems.append(f"offset {m.offset()} in partition {m.partition()}: timestamp type {ts_type}")
        consumed[m.partition()].append((m.offset(), m.key(), m.value(), m.headers() or [], ts))
consumer.close()
print("consumed:", {p: len(v) for p, v in consumed.items()})

expected = records.by_partition(r for codec in records.CODECS for r in records.records(codec, base))
problems = problems[:5] + records.Comparison(expected).problems(consumed)

if kind != "mock":  # the mock has no DeleteTopics
    try:
        admin.delete_topics([topic], request_timeout=30)[topic].result(60)
        print(f"deleted {topic}")
    except KafkaException as e:
        # Deleting is checked by the topics scenario; here it is only tidying up.
        print(f"DeleteTopics: {e} (not checked here)")

check = expect.checker()
check.problems.extend(problems)
check.finish()
