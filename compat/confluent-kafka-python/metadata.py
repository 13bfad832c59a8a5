# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: bootstrap, negotiate versions, read cluster metadata through the AdminClient.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

from confluent_kafka import KafkaException, version, libversion  # noqa: E402
from confluent_kafka.admin import AdminClient  # noqa: E402

print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}")
config = {"bootstrap.servers": expect.bootstrap(), "client.id": "eddy-compat"}
if os.environ.get("COMPAT_DEBUG"):
    config["debug"] = "protocol,broker,metadata"
admin = AdminClient(config)
try:
    metadata = admin.list_topics(timeout=30)
except KafkaException as e:
    expect.fail(f"list_topics: {e}")

brokers = [(b.id, b.host, b.port) for b in metadata.brokers.values()]
print(f"brokers: {brokers}")
print(f"cluster_id: {metadata.cluster_id!r}, controller_id: {metadata.controller_id}, "
      f"answered by broker {metadata.orig_broker_id} ({metadata.orig_broker_name})")

check = expect.checker()
check.brokers(brokers)
check.cluster_id(metadata.cluster_id)
check.controller(metadata.controller_id)
check.finish()
