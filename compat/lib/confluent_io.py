# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""confluent-kafka-python helpers shared by its scenarios: waiting on admin futures, producing
records.Record lists with acks=all in one codec, reading every partition of a topic from
offset 0 to its end without a consumer group, and its partitions' high watermarks."""

from confluent_kafka import TIMESTAMP_CREATE_TIME, Consumer, KafkaError, KafkaException, Producer, TopicPartition

import expect


def wait(futures, what, timeout=60):
    """Waits for every future of an AdminClient call; the first error fails the scenario."""
    for key, f in futures.items():
        try:
            f.result(timeout=timeout)
        except KafkaException as e:
            expect.fail(f"{what} {key}: {e}")


def high_watermarks(bootstrap, topic, partitions):
    """The high watermark of each of partitions 0 .. partitions-1 of `topic`, in order (ListOffsets)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{topic}-watermarks"})
    try:
        return [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in range(partitions)]
    finally:
        consumer.close()


def produce_all(config, topic, codec, recs):
    """Produces records.Record objects to their partitions with acks=all and compression.codec=codec,
    one request in flight; fails the scenario unless every one is delivered."""
    producer = Producer({**config, "acks": "all", "compression.codec": codec, "linger.ms": 5,
                         "enable.idempotence": False, "max.in.flight": 1, "message.timeout.ms": 30000})
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(f"{msg.key()!r}: {err}")

    for r in recs:
        while True:
            try:
                producer.produce(topic, value=r.value, key=r.key, partition=r.partition, headers=r.headers,
                                 timestamp=r.timestamp, on_delivery=delivered)
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(60)
    if left or errors:
        expect.fail(f"produce to {topic} with {codec}: {left} undelivered, {len(errors)} failed, "
                    f"first: {errors[:3]}")


def read_to_end(config, topic, partitions, problems):
    """{partition: [(offset, key, value, headers, timestamp)]} of `topic`, read from offset 0 up to
    each partition's end. A record whose timestamp is not CreateTime is added to `problems`; a
    consumer error, or 30 polls in a row with nothing, fails the scenario."""
    consumer = Consumer({**config, "group.id": f"unused-{topic}", "enable.auto.commit": False,
                         "enable.partition.eof": True, "check.crcs": True})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    consumed = {p: [] for p in range(partitions)}
    at_end = set()
    idle = 0
    while len(at_end) < partitions:
        # consume() waits for the whole batch or the timeout, so keep the timeout short and count idle rounds.
        msgs = consumer.consume(1000, timeout=1)
        idle = 0 if msgs else idle + 1
        if idle >= 30:
            expect.fail(f"{topic}: nothing consumed in 30 polls; partitions at end: {sorted(at_end)}, "
                        f"consumed so far: { {p: len(v) for p, v in consumed.items()} }")
        for m in msgs:
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(m.partition())
                    continue
                expect.fail(f"consume {topic}: {m.error()}")
            at_end.discard(m.partition())
            ts_type, ts = m.timestamp()
            if ts_type != TIMESTAMP_CREATE_TIME:
                problems.append(f"{topic} offset {m.offset()} in partition {m.partition()}: timestamp type {ts_type}")
            consumed[m.partition()].append((m.offset(), m.key(), m.value(), m.headers() or [], ts))
    consumer.close()
    return consumed
