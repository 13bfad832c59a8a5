# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: a topic deleted and created again under the same name starts empty, as in Kafka.
# Its own Eddy runs with log.segment.delete.delay.ms=2000. A topic gets 100 keyed records and is deleted; its
# directory is renamed <topic>-0.<32 hex>-delete at once and is gone after the delay. The topic is created
# again right away: a consumer reads exactly the three records produced after, from offset 0, and the offset a
# group committed for the old topic is gone (dropped at the deletion).
# Then the case Kafka calls a stray log: a partition directory of the old topic (saved while it existed, and
# put back under its name while the broker was stopped, as a stop between a deletion and its rename would
# leave it) must not become the new topic's log. The new topic is empty, and the old directory is kept as
# <topic>-0.<32 hex>-stray. Last, a topic deleted just before a kill -9 is empty when created again.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN); SKIP without one.
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import OFFSET_INVALID, Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

DELETE_DELAY_MS = 2000
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
check = expect.checker()


def admin(eddy):
    return AdminClient({"bootstrap.servers": eddy.bootstrap})


def create(eddy, topic):
    """Creates topic with one partition; retried while the deletion of its namesake is still going on."""
    last = None
    for _ in range(100):
        try:
            client = admin(eddy)  # kept alive until the result is in
            client.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
            return
        except Exception as e:  # TOPIC_ALREADY_EXISTS while the controller still has the old one
            last = e
            time.sleep(0.1)
    raise RuntimeError(f"cannot create {topic}: {last}")


def delete(eddy, topic):
    client = admin(eddy)
    client.delete_topics([topic])[topic].result(30)


def produce(eddy, topic, values):
    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all", "log_level": 0})
    errors = []
    for i, v in enumerate(values):
        producer.produce(topic, key=f"k{i}".encode(), value=v, on_delivery=lambda err, msg: errors.append(err))
    check.equal(f"unflushed records of {topic}", producer.flush(30), 0)
    check.equal(f"delivery errors of {topic}", [e for e in errors if e is not None], [])


def consume_all(eddy, topic):
    """Every (offset, value) of partition 0, read from the earliest offset up to the high watermark."""
    consumer = Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": f"recreate-{time.time()}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 0})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
        seen = []
        if high > low:
            consumer.assign([TopicPartition(topic, 0, low)])
            end = time.monotonic() + 30
            while len(seen) < high - low and time.monotonic() < end:
                m = consumer.poll(1)
                if m is not None and not m.error():
                    seen.append((m.offset(), m.value()))
        return low, high, seen
    finally:
        consumer.close()


def group_consumer(eddy, group):
    return Consumer({"bootstrap.servers": eddy.bootstrap, "group.id": group, "enable.auto.commit": False,
                     "log_level": 0})


def commit(eddy, topic, group, offset):
    consumer = group_consumer(eddy, group)
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
    finally:
        consumer.close()


def committed(eddy, topic, group):
    consumer = group_consumer(eddy, group)
    try:
        return consumer.committed([TopicPartition(topic, 0)], timeout=30)[0].offset
    finally:
        consumer.close()


def entries(eddy, prefix):
    return sorted(n for n in os.listdir(eddy.data_dir) if n.startswith(prefix))


def wait_until(what, condition, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    check.true(what, False)
    return False


def retired_name(name, topic, suffix):
    head = f"{topic}-0."
    middle = name[len(head):-len(suffix)] if name.startswith(head) and name.endswith(suffix) else ""
    return len(middle) == 32 and all(c in "0123456789abcdef" for c in middle)


def body(eddy):
    topic = f"recreate-{run_id}"
    create(eddy, topic)
    produce(eddy, topic, [f"old-{i}".encode() for i in range(100)])
    check.equal("old topic high watermark", consume_all(eddy, topic)[1], 100)
    group = f"recreate-group-{run_id}"
    commit(eddy, topic, group, 100)
    check.equal("the group's committed offset of the old topic", committed(eddy, topic, group), 100)
    delete(eddy, topic)
    # The group coordinator drops the deleted topic's offsets (Kafka's onPartitionsDeleted),
    # so a consumer of the new topic does not start at the old topic's position.
    wait_until("the deleted topic's committed offset dropped",
               lambda: committed(eddy, topic, group) == OFFSET_INVALID)
    wait_until("the deleted partition's directory renamed", lambda: f"{topic}-0" not in entries(eddy, topic))
    renamed = entries(eddy, f"{topic}-0.")
    check.true(f"renamed to <topic>-0.<32 hex>-delete ({renamed})",
               len(renamed) == 1 and retired_name(renamed[0], topic, "-delete"))
    create(eddy, topic)
    produce(eddy, topic, [b"new-0", b"new-1", b"new-2"])
    check.equal("the re-created topic holds only its own records", consume_all(eddy, topic),
                (0, 3, [(0, b"new-0"), (1, b"new-1"), (2, b"new-2")]))
    check.equal("no committed offset for the re-created topic", committed(eddy, topic, group), OFFSET_INVALID)
    wait_until("the -delete directory removed after log.segment.delete.delay.ms",
               lambda: not any(n.endswith("-delete") for n in entries(eddy, f"{topic}-0.")))

    stray = f"stray-{run_id}"
    saved = eddy.data_dir + "-saved"
    create(eddy, stray)
    produce(eddy, stray, [f"old-{i}".encode() for i in range(50)])
    eddy.stop()
    shutil.copytree(os.path.join(eddy.data_dir, f"{stray}-0"), saved)
    eddy.start()
    delete(eddy, stray)
    eddy.stop()
    for name in entries(eddy, f"{stray}-0"):
        shutil.rmtree(os.path.join(eddy.data_dir, name))
    shutil.copytree(saved, os.path.join(eddy.data_dir, f"{stray}-0"))
    eddy.start()
    create(eddy, stray)
    check.equal("a topic re-created over an old directory of its name is empty", consume_all(eddy, stray), (0, 0, []))
    kept = [n for n in entries(eddy, f"{stray}-0.") if n.endswith("-stray")]
    check.true(f"the old directory kept as <topic>-0.<32 hex>-stray ({kept})",
               len(kept) == 1 and retired_name(kept[0], stray, "-stray"))
    produce(eddy, stray, [b"fresh"])
    check.equal("the re-created topic takes records from offset 0", consume_all(eddy, stray), (0, 1, [(0, b"fresh")]))

    killed = f"killed-{run_id}"
    create(eddy, killed)
    produce(eddy, killed, [f"old-{i}".encode() for i in range(20)])
    delete(eddy, killed)
    eddy.restart(kill=True)
    create(eddy, killed)
    check.equal("a topic deleted before a kill -9 is empty when created again", consume_all(eddy, killed),
                (0, 0, []))


own_broker.run("topic_recreate", check, body, overrides={"log.segment.delete.delay.ms": DELETE_DELAY_MS})
