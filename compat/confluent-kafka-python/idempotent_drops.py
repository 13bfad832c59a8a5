# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: an idempotent producer (enable.idempotence, five requests in flight) sends through
# a proxy that keeps cutting its connections after the broker has written a batch but before the answer
# reaches the producer (lib/drop_proxy.py). The producer retries those batches; the broker must answer the
# retries with the original offsets instead of writing them again, so every record is in the log exactly
# once, in the order it was produced.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) advertising the proxy; SKIP without one.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402
from drop_proxy import DropProxy  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

PARTITIONS = 3
RECORDS = 20000
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-idempotent-drops-{run_id}"
debug = {"debug": "eos,protocol,broker,msg"} if os.environ.get("COMPAT_DEBUG") else {}
check = expect.checker()
proxy = DropProxy(upstream_port=None, drop_every=15)


def produce_through_drops(bootstrap):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "max.in.flight": 5, "linger.ms": 5, "batch.num.messages": 50,
                         "message.timeout.ms": 180000, "retry.backoff.ms": 50,
                         # Reconnect at once after a cut: librdkafka's backoff otherwise grows
                         # towards 10 s with every connection that does not last.
                         "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 100, **debug})
    failed = []
    # The cuts start once the producer has its producer id: librdkafka 2.0.2 gives up for good
    # (a fatal "idempotent producer not supported") when the connection it is acquiring one on drops.
    producer.produce(topic, key="warm-up", value="", partition=0,
                     on_delivery=lambda err, msg: err and failed.append(str(err)))
    if producer.flush(60) or failed:
        expect.fail(f"the first record was not delivered: {failed[:1]}")
    proxy.dropping = True
    for i in range(RECORDS):
        while True:
            try:
                producer.produce(topic, key=f"{i % PARTITIONS}:{i:08d}", value=f"value-{i}",
                                 partition=i % PARTITIONS,
                                 on_delivery=lambda err, msg: err and failed.append(str(err)))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(240)
    if left or failed:
        expect.fail(f"{left} records undelivered, delivery errors: {failed[:3]}")
    print(f"produced {RECORDS} records while the proxy cut {proxy.cuts} connections before their answers")
    if proxy.cuts < 5:
        check.problems.append(f"the proxy cut only {proxy.cuts} connections: too few retries to prove anything")


def read_back(bootstrap):
    """Every record of the topic, by partition, in log order."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"idem-drops-{run_id}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest", **debug})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
    by_partition = {p: [] for p in range(PARTITIONS)}
    deadline = time.monotonic() + 120
    while sum(len(v) for v in by_partition.values()) < RECORDS and time.monotonic() < deadline:
        for m in consumer.consume(1000, timeout=1):
            if m.error():
                expect.fail(f"consumer error {m.error()}")
            by_partition[m.partition()].append(m.key().decode())
    # Anything beyond RECORDS would be a duplicate: give it a moment to show up.
    for m in consumer.consume(1000, timeout=2):
        if not m.error():
            by_partition[m.partition()].append(m.key().decode())
    consumer.close()
    return by_partition


def main(broker):
    proxy.upstream_port = broker.port
    proxy.start()
    bootstrap = f"127.0.0.1:{proxy.port}"
    proxy.dropping = False
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)], request_timeout=30)[topic].result(60)
    except KafkaException as e:
        expect.fail(f"CreateTopics: {e}")
    produce_through_drops(bootstrap)
    proxy.dropping = False
    by_partition = read_back(bootstrap)
    proxy.close()
    total = 0
    for p, keys in by_partition.items():
        keys = [k for k in keys if k != "warm-up"]
        total += len(keys)
        expected = [f"{p}:{i:08d}" for i in range(p, RECORDS, PARTITIONS)]
        if keys != expected:
            dupes = len(keys) - len(set(keys))
            first_diff = next((j for j, (a, b) in enumerate(zip(keys, expected)) if a != b),
                              min(len(keys), len(expected)))
            check.problems.append(
                f"partition {p}: {len(keys)} records ({dupes} duplicates), expected {len(expected)}; "
                f"first difference at position {first_diff}: "
                f"{keys[first_diff:first_diff + 3]} vs {expected[first_diff:first_diff + 3]}")
    print(f"read back {total} records: each exactly once and in production order" if not check.problems
          else f"read back {total} records")


own_broker.run("a broker behind a connection-cutting proxy", check, main, advertised_port=proxy.port)
