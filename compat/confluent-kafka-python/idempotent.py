# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: an idempotent producer (enable.idempotence, five requests in flight) keeps
# sending while its broker is SIGKILLed and restarted; every record ends up in the log exactly once, in
# the order it was produced, although the producer retried whatever was in flight at each kill.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) so it can kill it; SKIP without one.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

PARTITIONS = 3
RECORDS = 30000
KILLS = 2
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-idempotent-confluent-{run_id}"
debug = {"debug": "eos,protocol,broker,msg"} if os.environ.get("COMPAT_DEBUG") else {}
check = expect.checker()


def produce_through_kills(broker):
    """Sends RECORDS keyed records round-robin over the partitions, killing the broker KILLS times midway."""
    producer = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True, "acks": "all",
                         "max.in.flight": 5, "linger.ms": 2, "batch.num.messages": 200,
                         "message.timeout.ms": 120000, "retry.backoff.ms": 100, **debug})
    failed = []
    kill_at = [RECORDS * (k + 1) // (KILLS + 1) for k in range(KILLS)]
    for i in range(RECORDS):
        if kill_at and i == kill_at[0]:
            kill_at.pop(0)
            producer.poll(0)
            # Whatever is in flight now is retried against the restarted broker.
            broker.restart(kill=True)
            print(f"killed and restarted the broker after {i} records were handed to the producer")
        while True:
            try:
                producer.produce(topic, key=f"{i % PARTITIONS}:{i:08d}", value=f"value-{i}",
                                 partition=i % PARTITIONS,
                                 on_delivery=lambda err, msg: err and failed.append(str(err)))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(180)
    if left or failed:
        expect.fail(f"{left} records undelivered, delivery errors: {failed[:3]}")
    print(f"produced {RECORDS} records through {KILLS} broker kills")


def read_back(bootstrap):
    """Every record of the topic, by partition, in log order."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"idem-{run_id}",
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
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)], request_timeout=30)[topic].result(60)
    except KafkaException as e:
        expect.fail(f"CreateTopics: {e}")
    produce_through_kills(broker)
    by_partition = read_back(broker.bootstrap)
    total = 0
    for p, keys in by_partition.items():
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


own_broker.run("killing and restarting the broker", check, main)
