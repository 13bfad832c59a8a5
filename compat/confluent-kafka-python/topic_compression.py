# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: topics with compression.type gzip, snappy, lz4, zstd, uncompressed and
# producer; keyed records with headers produced in another codec than the topic's; every record
# read back unchanged; DescribeConfigs shows each topic's compression.type; a level and a codec
# changed with AlterConfigs are shown too and the records produced after still read back.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import confluent_io  # noqa: E402
import expect  # noqa: E402
import records  # noqa: E402

from confluent_kafka import KafkaException  # noqa: E402
from confluent_kafka import version, libversion  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic  # noqa: E402

bootstrap = expect.bootstrap()
kind = os.environ.get("COMPAT_BROKER_KIND", "external")
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
debug = {"debug": "protocol,broker,topic,msg"} if os.environ.get("COMPAT_DEBUG") else {}
print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}")
if kind == "mock":
    print("SKIP: librdkafka's mock cluster has no CreateTopics with configs")
    sys.exit(77)

COUNT = 600  # records per topic and phase, over records.PARTITIONS partitions
# topic compression.type -> the codec the producer uses (always another one, except `producer`).
TOPICS = {"gzip": "zstd", "snappy": "gzip", "lz4": "none", "zstd": "snappy", "uncompressed": "lz4",
          "producer": "gzip"}

admin = AdminClient({"bootstrap.servers": bootstrap, **debug})
check = expect.checker()


def name(config):
    return f"compat-tc-{config}-{run_id}"


def topic_configs(topic):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return admin.describe_configs([resource])[resource].result(timeout=30)


def produce(topic, codec, recs):
    confluent_io.produce_all({"bootstrap.servers": bootstrap, **debug}, topic, codec, recs)
    print(f"{topic}: produced {len(recs)} records with compression.codec={codec}")


def compare(topic, expected_recs):
    consumed = confluent_io.read_to_end({"bootstrap.servers": bootstrap, **debug}, topic, records.PARTITIONS,
                                        check.problems)
    print(f"{topic}: consumed {sum(len(v) for v in consumed.values())} records")
    found = records.Comparison(records.by_partition(expected_recs)).problems(consumed)
    check.problems.extend(f"{topic}: {p}" for p in found)


# The shared data set's records (keys, values, headers, CreateTime timestamps), under the
# producer's codec name, so each topic's records differ from the others'.
base = records.base_timestamp()
confluent_io.wait(admin.create_topics([NewTopic(name(c), records.PARTITIONS, 1, config={"compression.type": c})
                          for c in TOPICS], request_timeout=30), "create_topics")
print(f"created {len(TOPICS)} topics")

sent = {}
for config, codec in TOPICS.items():
    sent[config] = records.records(codec, base, COUNT)
    produce(name(config), codec, sent[config])
    shown = topic_configs(name(config))["compression.type"].value
    print(f"{name(config)}: DescribeConfigs compression.type = {shown}")
    check.equal(f"{name(config)} compression.type", shown, config)
for config in TOPICS:
    compare(name(config), sent[config])

# KIP-390 levels and a codec change, with AlterConfigs (this client version may lack
# IncrementalAlterConfigs; AlterConfigs replaces the topic's whole set, so each call names
# every override the topic keeps): later batches follow them.
changed = name("zstd")
levels = {"compression.zstd.level": "19", "compression.gzip.level": "9", "compression.lz4.level": "17"}


def alter(topic, configs):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=configs)
    return admin.alter_configs([resource])[resource]


try:
    alter(changed, {"compression.type": "zstd", **levels}).result(timeout=30)
except KafkaException as e:
    expect.fail(f"alter_configs levels: {e}")
shown = topic_configs(changed)
for level, value in levels.items():
    print(f"{changed}: {level} = {shown[level].value}")
    check.equal(f"{changed} {level}", shown[level].value, value)
more = records.records("lz4", base, COUNT)
produce(changed, "lz4", more)
try:
    alter(changed, {"compression.type": "gzip", **levels}).result(timeout=30)
except KafkaException as e:
    expect.fail(f"alter_configs compression.type: {e}")
check.equal(f"{changed} compression.type after the change", topic_configs(changed)["compression.type"].value,
            "gzip")
last = records.records("zstd", base, COUNT)
produce(changed, "zstd", last)
compare(changed, sent["zstd"] + more + last)

# A level outside the codec's range is refused, as Kafka's validator does.
try:
    alter(changed, {"compression.type": "gzip", "compression.lz4.level": "18"}).result(timeout=30)
    check.problems.append("compression.lz4.level=18 was accepted")
except KafkaException as e:
    print(f"compression.lz4.level=18 refused: {e.args[0].name()}")
    check.equal("error for compression.lz4.level=18", e.args[0].name(), "INVALID_CONFIG")

confluent_io.wait(admin.delete_topics([name(c) for c in TOPICS], request_timeout=30), "delete_topics")
check.finish()
