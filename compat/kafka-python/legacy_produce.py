# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python pinned to old protocol versions: api_version (0, 10, 1) produces magic-1 message
# sets (Produce v2, with timestamps), (0, 9) magic-0 ones (Produce v1, no timestamps), in each
# codec it has. A current consumer reads them back: Eddy stores them as magic-2 batches, and keys,
# values, per-partition order and timestamps must survive (a magic-0 record has none: -1).
#
# No other client here writes magic 1 (librdkafka goes from magic 0 straight to magic 2).
# Left out: lz4 at (0, 9), where kafka-python's own encoder for the pre-0.10 lz4 framing fails an
# assertion before anything is sent; librdkafka's scenarios cover magic-0 lz4.
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
topic = f"compat-legacy-kafka-python-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
COUNT = 1000
available = kafka_python_io.available_codecs()
# (label, api_version, codecs, whether records carry a timestamp)
runs = [("magic 1", (0, 10, 1), ["none", "gzip", "snappy", "lz4"], True),
        ("magic 0", (0, 9), ["none", "gzip", "snappy"], False)]
print(f"kafka-python {kafka.__version__}; topic {topic}; missing modules for "
      f"{sorted({c for _, _, codecs, _ in runs for c in codecs if not available[c]})}")

if kind == "mock":
    print("SKIP: librdkafka 2.0.2's mock answers magic-0 and magic-1 message sets with UNSUPPORTED_VERSION")
    sys.exit(77)
common = {"bootstrap_servers": bootstrap, "client_id": "eddy-compat", "request_timeout_ms": 30000}


def legacy_record(run, codec, i, base):
    label, _, _, timestamped = runs[run]
    tag = f"{label}-{codec}"
    return records.Record(i % records.PARTITIONS, f"{tag}-{i:04d}".encode(),
                          (f"{tag}:{i}:" + "abcdefghij" * (1 + i % 8)).encode(), [],
                          base + (run * 10 + list(available).index(codec)) * COUNT + i if timestamped else -1)


base = records.base_timestamp()
sent = []
admin = None
try:
    admin = KafkaAdminClient(api_version_auto_timeout_ms=30000, **common)
    admin.create_topics([NewTopic(topic, records.PARTITIONS, 1)], timeout_ms=30000)
    print(f"created {topic} with {records.PARTITIONS} partitions")
    for run, (label, api_version, codecs, timestamped) in enumerate(runs):
        for codec in [c for c in codecs if available[c]]:
            producer = KafkaProducer(api_version=api_version, acks="all", linger_ms=5,
                                     compression_type=None if codec == "none" else codec,
                                     batch_size=64 * 1024, max_in_flight_requests_per_connection=1, **common)
            batch = [legacy_record(run, codec, i, base) for i in range(COUNT)]
            futures = [producer.send(topic, key=r.key, value=r.value, partition=r.partition,
                                     timestamp_ms=r.timestamp if timestamped else None) for r in batch]
            producer.flush(timeout=60)
            for f in futures:
                f.get(timeout=60)  # raises the delivery error, if any
            producer.close()
            sent.extend(batch)
            print(f"produced {COUNT} records as {label} (api_version {api_version}) with {codec}")
except KafkaError as e:
    expect.fail(f"{type(e).__name__}: {e}")

# A current consumer (Fetch v4+), without a group, from offset 0 of every partition.
kafka_python_io.finish_with_read_back({**common, "api_version_auto_timeout_ms": 30000}, topic,
                                      range(records.PARTITIONS), records.by_partition(sent), admin)
