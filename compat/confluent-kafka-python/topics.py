# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python AdminClient: create a topic with 3 partitions, see it in metadata,
# describe and alter a config, add partitions, produce with acks=all above the replica count's
# min.insync.replicas, delete it and see it gone.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import confluent_io  # noqa: E402
import expect  # noqa: E402

from confluent_kafka import Producer, version, libversion  # noqa: E402
from confluent_kafka.admin import (AdminClient, ConfigResource, NewPartitions,  # noqa: E402
                                   NewTopic)

print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}")
config = {"bootstrap.servers": expect.bootstrap(), "client.id": "eddy-compat"}
if os.environ.get("COMPAT_DEBUG"):
    config["debug"] = "protocol,broker,metadata,admin"
admin = AdminClient(config)
topic = f"compat-topics-{os.environ.get('COMPAT_RUN_ID', 'local')}"
check = expect.checker()


def partitions_seen():
    md = admin.list_topics(topic=topic, timeout=30)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return len(t.partitions)


def topic_config(name):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([resource])[resource].result(timeout=30)
    return entries[name].value if name in entries else None


confluent_io.wait(admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)],
                         operation_timeout=30), "create_topics")
print(f"created {topic}")
seen = partitions_seen()
print(f"metadata: {seen} partitions (this client version exposes no topic ids)")
check.equal("partitions after create", seen, 3)

retention = topic_config("retention.ms")
print(f"retention.ms = {retention}")
check.equal("default retention.ms", retention, "604800000")

confluent_io.wait(admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                         set_config={"retention.ms": "3600000"})]), "alter_configs")
retention = topic_config("retention.ms")
print(f"after alter_configs: retention.ms = {retention}")
check.equal("retention.ms after alter_configs", retention, "3600000")

if hasattr(admin, "incremental_alter_configs"):
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry  # noqa: E402
    entry = ConfigEntry("segment.ms", "7200000",
                        incremental_operation=AlterConfigOpType.SET)
    confluent_io.wait(admin.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                         incremental_configs=[entry])]),
         "incremental_alter_configs")
    check.equal("segment.ms after incremental_alter_configs", topic_config("segment.ms"), "7200000")
else:
    print("incremental_alter_configs: not in this client version")

confluent_io.wait(admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=30), "create_partitions")
seen = partitions_seen()
print(f"after create_partitions: {seen} partitions")
check.equal("partitions after create_partitions", seen, 5)

# Kafka counts a min.insync.replicas above the replica count as that count, so this
# one-replica topic still takes acks=all at 2.
confluent_io.wait(admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                         set_config={"min.insync.replicas": "2"})]), "alter_configs")
producer = Producer({**config, "acks": "all", "message.timeout.ms": 30000})
delivery_errors = []
producer.produce(topic, value=b"v", partition=0, on_delivery=lambda err, msg: delivery_errors.append(err))
producer.flush(60)
print(f"acks=all at min.insync.replicas=2: {delivery_errors}")
check.equal("acks=all on one replica at min.insync.replicas=2", [str(e) if e else None for e in delivery_errors],
            [None])

confluent_io.wait(admin.delete_topics([topic], operation_timeout=30), "delete_topics")
after = admin.list_topics(timeout=30).topics
print(f"after delete_topics: present={topic in after}")
check.true(f"{topic} still listed after delete", topic not in after)
check.finish()
