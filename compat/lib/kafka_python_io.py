# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""kafka-python helpers shared by its scenarios: which codecs it has, reading a topic back without a
consumer group and judging what came back."""

import kafka.codec
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

import expect
import records


def available_codecs():
    """{codec: whether kafka-python can use it here}; it compresses with optional Python modules."""
    return {"none": True, "gzip": kafka.codec.has_gzip(), "snappy": kafka.codec.has_snappy(),
            "lz4": kafka.codec.has_lz4(), "zstd": kafka.codec.has_zstd()}


def read_back(common, topic, partitions, want, problems):
    """{partition: [(offset, key, value, headers, timestamp)]} of `topic`, read from offset 0 until
    partition p holds want[p] records (partitions None: every partition the topic has) (or 30 polls in a row brought nothing), then one more poll,
    which would bring anything beyond them. A record whose timestamp is not CreateTime is added to
    `problems`; a client error fails the scenario."""
    consumed = {}

    def take(polled):
        for msgs in polled.values():
            for m in msgs:
                if m.timestamp_type != 0:
                    problems.append(f"partition {m.partition} offset {m.offset}: timestamp type {m.timestamp_type}")
                consumed[m.partition].append((m.offset, m.key, m.value, [(k, v) for k, v in m.headers],
                                              m.timestamp))

    try:
        consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, check_crcs=True, max_poll_records=5000,
                                 **common)
        if partitions is None:
            partitions = sorted(consumer.partitions_for_topic(topic) or [])
            print(f"{topic} has partitions {partitions}")
        consumed.update({p: [] for p in partitions})
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        idle = 0
        while any(len(consumed[p]) < want.get(p, 0) for p in partitions) and idle < 30:
            polled = consumer.poll(timeout_ms=1000)
            idle = 0 if polled else idle + 1
            take(polled)
        take(consumer.poll(timeout_ms=500))
        consumer.close()
    except KafkaError as e:
        expect.fail(f"consume {topic}: {type(e).__name__}: {e}")
    return consumed


def finish_with_read_back(common, topic, partitions, expected, admin):
    """Ends the scenario: reads `topic` back (read_back, with `partitions` as there), compares it with
    `expected` ({partition: [records.Record]}), deletes the topic through `admin` unless it is None
    (not judged: the topics scenario checks DeleteTopics), and reports the verdict."""
    problems = []
    consumed = read_back(common, topic, partitions, {p: len(v) for p, v in expected.items()}, problems)
    print("consumed:", {p: len(v) for p, v in consumed.items()})
    problems = problems[:5] + records.Comparison(expected).problems(consumed)
    if admin is not None:
        try:
            admin.delete_topics([topic], timeout_ms=30000)
            print(f"deleted {topic}")
        except KafkaError as e:
            print(f"DeleteTopics: {type(e).__name__}: {e} (not checked here)")
        admin.close()
    check = expect.checker()
    check.problems.extend(problems)
    check.finish()
