# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: watermarks and offsets_for_times (ListOffsets) on records with known timestamps.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import records  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

bootstrap = expect.bootstrap()
kind = os.environ.get("COMPAT_BROKER_KIND", "external")
topic = f"compat-oft-confluent-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
debug = {"debug": "protocol,broker,topic"} if os.environ.get("COMPAT_DEBUG") else {}
print(f"topic {topic}")

admin = AdminClient({"bootstrap.servers": bootstrap, **debug})
if kind == "mock":
    # librdkafka 2.0's mock cluster has no CreateTopics; it creates a topic (4 partitions) when Metadata names it.
    admin.list_topics(topic, timeout=30)
else:
    try:
        admin.create_topics([NewTopic(topic, records.PARTITIONS, 1)], request_timeout=30)[topic].result(60)
    except KafkaException as e:
        expect.fail(f"CreateTopics: {e}")

base = records.base_timestamp()
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "message.timeout.ms": 30000, **debug})
errors = []
for p in range(records.PARTITIONS):
    for j in range(records.TIME_COUNT):
        r = records.time_record(p, j, base)
        producer.produce(topic, value=r.value, key=r.key, partition=p, timestamp=r.timestamp,
                         on_delivery=lambda err, msg: err and errors.append(str(err)))
if producer.flush(60) or errors:
    expect.fail(f"produce: {errors[:3]}")
print(f"produced {records.TIME_COUNT} records to each of {records.PARTITIONS} partitions, base timestamp {base}")

check = expect.checker()
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{topic}", **debug})
for p in range(records.PARTITIONS):
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
    print(f"partition {p}: watermarks {low}..{high}")
    check.equal(f"partition {p} watermarks (ListOffsets earliest, latest)", (low, high), (0, records.TIME_COUNT))

# One request per lookup, each naming all partitions (a partition may appear only once per ListOffsets).
queries, answers = [], []
per_partition = [records.time_queries(p, base) for p in range(records.PARTITIONS)]
for k in range(len(per_partition[0])):
    asked = [(p, per_partition[p][k][0], per_partition[p][k][1]) for p in range(records.PARTITIONS)]
    try:
        got = consumer.offsets_for_times([TopicPartition(topic, p, ts) for p, ts, _ in asked], timeout=30)
    except KafkaException as e:
        expect.fail(f"offsets_for_times: {e}")
    queries += asked
    answers += sorted(got, key=lambda tp: tp.partition)
consumer.close()

if kind == "mock" and all(a.offset < 0 for a in answers):
    print("answers:", [(a.partition, a.offset) for a in answers])
    print("SKIP: librdkafka 2.0's mock cluster does not look offsets up by timestamp (it answers -1)")
    sys.exit(77 if not check.problems else 1)

for (p, ts, want), answer in zip(queries, answers):
    want_offset = -1 if want is None else want  # librdkafka reports "no such record" as -1 (OFFSET_END)
    print(f"partition {p} timestamp {ts} (base{ts - base:+d}): offset {answer.offset}, error {answer.error}")
    check.equal(f"partition {p} offset for timestamp base{ts - base:+d}", (answer.offset, answer.error),
                (want_offset, None))
check.finish()
