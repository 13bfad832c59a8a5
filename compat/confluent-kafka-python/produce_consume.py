# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: create a 3-partition topic, produce 10,000 keyed records with headers per codec, read all back.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import confluent_io  # noqa: E402
import expect  # noqa: E402
import records  # noqa: E402

from confluent_kafka import KafkaException  # noqa: E402
from confluent_kafka import version, libversion  # noqa: E402
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
    confluent_io.produce_all({"bootstrap.servers": bootstrap, **debug}, topic, codec, records.records(codec, base))
    print(f"produced {records.COUNT} records with compression.codec={codec}")

# Asked after producing, so the new topic's metadata has certainly reached the broker.
partitions = len(admin.list_topics(topic, timeout=30).topics[topic].partitions)
print(f"{topic} has {partitions} partitions")

# Read every partition from offset 0 up to its high watermark, without a consumer group.
problems = []
consumed = confluent_io.read_to_end({"bootstrap.servers": bootstrap, **debug}, topic, partitions, problems)
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
