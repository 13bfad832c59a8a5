# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python: create a 3-partition topic, produce 10,000 keyed records with headers per codec, read all back.
#
# kafka-python compresses with optional Python modules; Debian's python3-snappy, python3-lz4 and
# python3-zstandard provide snappy, lz4 and zstd. Codecs whose module is missing are skipped and named.
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import kafka_python_io  # noqa: E402
import records  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402

if os.environ.get("COMPAT_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
bootstrap = expect.bootstrap()
kind = os.environ.get("COMPAT_BROKER_KIND", "external")
topic = f"compat-pc-kafka-python-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
available = kafka_python_io.available_codecs()
codecs = [c for c in records.CODECS if available[c]]
print(f"kafka-python {kafka.__version__}; topic {topic}; codecs {codecs}, "
      f"missing modules for {[c for c in records.CODECS if not available[c]]}")

common = {"bootstrap_servers": bootstrap, "client_id": "eddy-compat", "request_timeout_ms": 30000,
          "api_version_auto_timeout_ms": 30000}
admin = None
try:
    if kind == "mock":
        print("mock cluster: relying on auto-creation (it has no CreateTopics)")
    else:
        admin = KafkaAdminClient(**common)
        admin.create_topics([NewTopic(topic, records.PARTITIONS, 1)], timeout_ms=30000)
        print(f"created {topic} with {records.PARTITIONS} partitions")

    base = records.base_timestamp()
    for codec in codecs:
        producer = KafkaProducer(acks="all", compression_type=None if codec == "none" else codec, linger_ms=5,
                                 batch_size=256 * 1024, max_in_flight_requests_per_connection=1, **common)
        futures = [producer.send(topic, key=r.key, value=r.value, headers=r.headers, partition=r.partition,
                                 timestamp_ms=r.timestamp) for r in records.records(codec, base)]
        producer.flush(timeout=60)
        for f in futures:
            f.get(timeout=60)  # raises the delivery error, if any
        producer.close()
        print(f"produced {records.COUNT} records with compression_type={codec}")
except KafkaError as e:
    expect.fail(f"{type(e).__name__}: {e}")

# Read every partition from offset 0 without a consumer group, until each holds what was sent.
expected = records.by_partition(r for codec in codecs for r in records.records(codec, base))
kafka_python_io.finish_with_read_back(common, topic, None, expected, admin)
