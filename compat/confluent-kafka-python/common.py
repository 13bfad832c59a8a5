# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# Shared by the confluent-kafka-python consumer-group scenarios: topic, producer and a set of group members.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import groups  # noqa: E402

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

kind = os.environ.get("COMPAT_BROKER_KIND", "external")
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
debug = {"debug": "cgrp,protocol,broker"} if os.environ.get("COMPAT_DEBUG") else {}


def create_topic(bootstrap, topic, partitions=groups.PARTITIONS):
    """The topic's partition count: `partitions`, or what the mock cluster auto-creates (it has no CreateTopics)."""
    admin = AdminClient({"bootstrap.servers": bootstrap, **debug})
    if kind == "mock":
        admin.list_topics(topic, timeout=30)
    else:
        try:
            admin.create_topics([NewTopic(topic, partitions, 1)], request_timeout=30)[topic].result(60)
        except KafkaException as e:
            expect.fail(f"CreateTopics: {e}")
    return len(admin.list_topics(topic, timeout=30).topics[topic].partitions)


def produce(bootstrap, topic, phase, partitions):
    """Phase `phase` of the data set in lib/groups.py: PER_PHASE records in every partition."""
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": False,
                        "max.in.flight": 1, "linger.ms": 5, "message.timeout.ms": 30000, **debug})
    errors = []
    for p in range(partitions):
        for i in range(groups.PER_PHASE):
            k = groups.key(phase, p, i)
            producer.produce(topic, key=k, value=f"{k}:v", partition=p,
                             on_delivery=lambda err, msg: err and errors.append(str(err)))
    left = producer.flush(60)
    if left or errors:
        expect.fail(f"produce phase {phase}: {left} undelivered, errors {errors[:3]}")
    print(f"produced phase {phase}: {groups.PER_PHASE} records in each of {partitions} partitions")


class Members:
    """Consumers of one group polled in turn from this one thread (librdkafka joins in its own threads);
    every record goes to the tally, every consumer error to check.problems."""

    def __init__(self, bootstrap, group, topic, tally, check, **conf):
        self.bootstrap, self.group, self.topic = bootstrap, group, topic
        self.tally, self.check, self.conf = tally, check, conf
        self.consumers = {}

    def add(self, name, **callbacks):
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.group, "client.id": name,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, **self.conf, **debug})
        c.subscribe([self.topic], **callbacks)
        self.consumers[name] = c
        return c

    def assignments(self):
        return {n: {tp.partition for tp in c.assignment()} for n, c in self.consumers.items()}

    def poll(self):
        for name, c in self.consumers.items():
            for m in c.consume(100, timeout=0.1):
                if m.error():
                    self.check.problems.append(f"{name}: consumer error {m.error()}")
                    continue
                held = {tp.partition for tp in c.assignment()}
                self.tally.add(name, m.partition(), m.offset(), m.key(), held)

    def wait(self, what, condition):
        groups.wait_until(what, condition, self.poll)

    def wait_split(self, what, partitions):
        self.wait(what, lambda: groups.split_problem(self.assignments(), partitions) is None)
        print(f"{what}: {groups.describe(self.assignments())}")

    def commit(self, name, offsets=None):
        """Synchronous commit of the consumed positions, or of the given {partition: offset}."""
        c = self.consumers[name]
        if offsets is None:
            c.commit(asynchronous=False)
        else:
            c.commit(offsets=[TopicPartition(self.topic, p, o) for p, o in offsets.items()], asynchronous=False)

    def committed(self, name, partitions):
        tps = self.consumers[name].committed([TopicPartition(self.topic, p) for p in range(partitions)], timeout=30)
        return {tp.partition: tp.offset for tp in tps}

    def close(self, name):
        self.consumers.pop(name).close()
