# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python: probe the broker version (ApiVersions), then read cluster metadata through KafkaAdminClient.
# Against Eddy also: a producer asking for the metadata log's name (`__cluster_metadata`), with
# Metadata v1, where auto-creation is always allowed, never gets it made a topic, as with Kafka.
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from kafka.admin import KafkaAdminClient  # noqa: E402
from kafka.errors import KafkaError, KafkaTimeoutError  # noqa: E402

if os.environ.get("COMPAT_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
print(f"kafka-python {kafka.__version__}")
try:
    # The constructor runs check_version (ApiVersions) and a Metadata request to find the controller.
    admin = KafkaAdminClient(bootstrap_servers=expect.bootstrap(), client_id="eddy-compat",
                             request_timeout_ms=30000, api_version_auto_timeout_ms=30000)
    inferred = admin.config["api_version"]
    api_versions = admin._client.get_api_versions()
    cluster = admin.describe_cluster()
    topics = admin.list_topics()
    admin.close()
except KafkaError as e:
    expect.fail(f"{type(e).__name__}: {e}")

print(f"inferred broker version: {inferred}")
print(f"api versions: {dict(sorted(api_versions.items())) if api_versions else api_versions}")
brokers = [(b["node_id"], b["host"], b["port"]) for b in cluster["brokers"]]
print(f"brokers: {brokers}")
print(f"cluster_id: {cluster.get('cluster_id')!r}, controller_id: {cluster.get('controller_id')}, topics: {topics}")

check = expect.checker()
check.true(f"inferred broker version {inferred} is older than 1.0", inferred >= (1, 0, 0))
check.brokers(brokers)
check.cluster_id(cluster.get("cluster_id"))
check.controller(cluster.get("controller_id"))

if os.environ.get("COMPAT_BROKER_KIND") != "mock":
    common = {"bootstrap_servers": expect.bootstrap(), "client_id": "eddy-compat",
              "request_timeout_ms": 30000, "api_version_auto_timeout_ms": 30000}
    try:
        producer = KafkaProducer(max_block_ms=3000, **common)
        try:
            partitions = producer.partitions_for("__cluster_metadata")
        except KafkaTimeoutError:
            partitions = None  # the topic never appeared
        producer.close()
        admin = KafkaAdminClient(**common)
        after = admin.list_topics()
        admin.close()
    except KafkaError as e:
        expect.fail(f"{type(e).__name__}: {e}")
    print(f"partitions of __cluster_metadata: {partitions}; topics after asking: {after}")
    check.true("__cluster_metadata got partitions", not partitions)
    check.true("__cluster_metadata became a topic", "__cluster_metadata" not in after)
check.finish()
