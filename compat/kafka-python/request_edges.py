# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python: Produce and Fetch requests no client library sends on its own, built from
# kafka-python's protocol classes (Produce v3, Fetch v7), answered as Kafka answers them: of a
# partition named twice in a Produce only the last batch is appended and answered; in a Fetch
# it is read once, partitions missing from the metadata come after those read, an unknown
# isolation level fails the request, and a negative max_bytes fails the first partition with
# data. DeleteRecords v0 (a request kafka-python lacks, declared here with its protocol types)
# leaves out a topic named with no partitions, as Kafka's answer is grouped by partition.
# SKIP on the mock cluster (it answers these its own way).
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

from kafka import KafkaProducer  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from kafka.client_async import KafkaClient  # noqa: E402
from kafka.protocol.api import Request, Response  # noqa: E402
from kafka.protocol.fetch import FetchRequest  # noqa: E402
from kafka.protocol.produce import ProduceRequest  # noqa: E402
from kafka.protocol.types import Array, Int16, Int32, Int64, Schema, String  # noqa: E402
from kafka.record.default_records import DefaultRecordBatchBuilder  # noqa: E402



class DeleteRecordsResponse_v0(Response):
    API_KEY = 21
    API_VERSION = 0
    SCHEMA = Schema(("throttle_time_ms", Int32),
                    ("topics", Array(("name", String("utf-8")),
                                     ("partitions", Array(("partition_index", Int32), ("low_watermark", Int64),
                                                          ("error_code", Int16))))))


class DeleteRecordsRequest_v0(Request):
    API_KEY = 21
    API_VERSION = 0
    RESPONSE_TYPE = DeleteRecordsResponse_v0
    SCHEMA = Schema(("topics", Array(("name", String("utf-8")),
                                     ("partitions", Array(("partition_index", Int32), ("offset", Int64))))),
                    ("timeout_ms", Int32))


if os.environ.get("COMPAT_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
if os.environ.get("COMPAT_BROKER_KIND", "external") == "mock":
    print("SKIP: the mock cluster answers malformed fetches its own way")
    sys.exit(77)
bootstrap = expect.bootstrap()
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-request-edges-kafka-python-{run_id}"
missing = f"compat-request-edges-missing-{run_id}"
common = {"bootstrap_servers": bootstrap, "client_id": "eddy-compat", "request_timeout_ms": 30000,
          "api_version_auto_timeout_ms": 30000}
RECORDS = 3
MB = 1 << 20
print(f"topic {topic}")

check = expect.checker()
try:
    admin = KafkaAdminClient(**common)
    admin.create_topics([NewTopic(topic, 2, 1)], timeout_ms=30000)
    admin.close()
    producer = KafkaProducer(acks="all", **common)
    for p in range(2):
        for i in range(RECORDS):
            producer.send(topic, value=f"p{p}-{i}".encode(), partition=p).get(timeout=60)
    producer.close()
    print(f"produced {RECORDS} records to each of 2 partitions")

    client = KafkaClient(**common)
    node = client.least_loaded_node()
    while not client.ready(node):
        client.poll(timeout_ms=100)

    def batch(count, tag):
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False, producer_id=-1,
                                            producer_epoch=-1, base_sequence=-1, batch_size=MB)
        for i in range(count):
            builder.append(i, timestamp=None, key=None, value=f"{tag}-{i}".encode(), headers=[])
        return bytes(builder.build())

    print("Produce: partition 1 named twice (2 records, then 3) and partition 0 once, in three entries of the topic")
    request = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=30000,
                                topics=[(topic, [(1, batch(2, "first"))]), (topic, [(0, batch(1, "zero"))]),
                                        (topic, [(1, batch(3, "second"))])])
    future = client.send(node, request)
    client.poll(future=future, timeout_ms=30000)
    if not future.succeeded():
        expect.fail(f"Produce failed: {future.exception!r}")
    answers = [(t, [tuple(p[:3]) for p in parts]) for t, parts in future.value.topics]
    print(f"  {answers}")
    check.equal("one topic entry, each partition answered once (no error, base offset)", answers,
                [(topic, [(0, 0, RECORDS), (1, 0, RECORDS)])])
    P0_END = RECORDS + 1

    def fetch(topics, max_bytes=MB, isolation_level=0):
        """Sends one Fetch v7 (sessionless); returns (error, [(topic, [(partition, error, hw, bytes)])])."""
        request = FetchRequest[7](replica_id=-1, max_wait_time=0, min_bytes=1, max_bytes=max_bytes,
                                  isolation_level=isolation_level, session_id=0, session_epoch=-1,
                                  topics=[(t, [(p, off, -1, MB) for p, off in parts]) for t, parts in topics],
                                  forgotten_topics_data=[])
        future = client.send(node, request)
        client.poll(future=future, timeout_ms=30000)
        if not future.succeeded():
            expect.fail(f"Fetch failed: {future.exception!r}")
        r = future.value
        answer = [(t, [(p[0], p[1], p[2], len(p[-1] or b"")) for p in parts]) for t, parts in r.topics]
        print(f"  error {r.error_code}: {answer}")
        return r.error_code, answer

    print("partition 0 named three times, the last time at the log end; partition 1 once")
    error, answer = fetch([(topic, [(0, 0), (1, 0), (0, P0_END)]), (topic, [(0, P0_END)])])
    check.equal("topics answered", [t for t, _ in answer], [topic])
    parts = answer[0][1] if answer else []
    check.equal("partitions answered, in first-mention order", [p[0] for p in parts], [0, 1])
    check.equal("partition 0 read from its last fetch offset (nothing)", parts[0][3] if parts else None, 0)
    check.true("partition 1 has records", len(parts) > 1 and parts[1][3] > 0)
    check.equal("partition 1's high watermark: only the second produced batch was added",
                parts[1][2] if len(parts) > 1 else None, RECORDS + 3)

    print("a missing topic and a missing partition among partitions that exist")
    error, answer = fetch([(missing, [(0, 0)]), (topic, [(0, 0), (9, 0), (1, 0)])])
    check.equal("order: partitions read, then the missing ones", [(t, [p[0] for p in ps]) for t, ps in answer],
                [(topic, [0, 1]), (missing, [0]), (topic, [9])])
    check.equal("missing ones get UNKNOWN_TOPIC_OR_PARTITION", [ps[0][1] for _, ps in answer[1:]], [3, 3])

    print("isolation level 2")
    error, answer = fetch([(topic, [(0, 0), (1, 0)])], isolation_level=2)
    check.equal("top-level error UNKNOWN_SERVER_ERROR", error, -1)
    check.equal("every partition UNKNOWN_SERVER_ERROR, high watermark -1",
                [(p[0], p[1], p[2]) for _, ps in answer for p in ps], [(0, -1, -1), (1, -1, -1)])

    print("max_bytes -1")
    error, answer = fetch([(topic, [(0, 0), (1, 0)])], max_bytes=-1)
    parts = answer[0][1] if answer else []
    check.equal("partition 0 UNKNOWN_SERVER_ERROR", parts[0][1] if parts else None, -1)
    check.true("partition 1 still gets its first batch", len(parts) > 1 and parts[1][1] == 0 and parts[1][3] > 0)

    print("DeleteRecords: the missing topic with no partitions, then partition 0 to offset 1")
    future = client.send(node, DeleteRecordsRequest_v0(topics=[(missing, []), (topic, [(0, 1)])], timeout_ms=30000))
    client.poll(future=future, timeout_ms=30000)
    if not future.succeeded():
        expect.fail(f"DeleteRecords failed: {future.exception!r}")
    answer = [(t, [tuple(p) for p in parts]) for t, parts in future.value.topics]
    print(f"  {answer}")
    check.equal("only the topic with a partition answered (low watermark 1, no error)", answer,
                [(topic, [(0, 1, 0)])])
    client.close()
except Exception as e:  # noqa: BLE001
    expect.fail(f"{type(e).__name__}: {e}")
check.finish()
