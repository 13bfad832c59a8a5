# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: connections.max.idle.ms. Its own Eddy runs with connections.max.idle.ms=1000 and
# reports that value (static broker config) through DescribeConfigs. A producer delivers a record, then
# sends nothing for a while: the broker closes its idle connections, which librdkafka reports as a
# disconnect, and the next record is delivered over a new connection. Both records are in the topic.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN); SKIP without one.
import logging
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402
from confluent_io import high_watermarks  # noqa: E402

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic  # noqa: E402

IDLE_MS = 1000
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-idle-connections-{run_id}"
check = expect.checker()


class Disconnects(logging.Handler):
    """Counts librdkafka's log lines about a connection the broker closed."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        if "Disconnected" in record.getMessage():
            self.count += 1


def body(eddy):
    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    broker = ConfigResource(ConfigResource.Type.BROKER, "1")
    entries = admin.describe_configs([broker])[broker].result(30)
    idle = entries.get("connections.max.idle.ms")
    check.equal("connections.max.idle.ms", idle.value if idle else None, str(IDLE_MS))

    disconnects = Disconnects()
    log = logging.getLogger("idle-producer")
    log.addHandler(disconnects)
    log.setLevel(logging.DEBUG)
    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all", "logger": log,
                         "log.connection.close": True})
    delivered = []

    def deliver(index):
        producer.produce(topic, value=f"r{index}", on_delivery=lambda err, msg: delivered.append(err))
        check.equal(f"record {index} not delivered", producer.flush(30), 0)

    deliver(0)
    before = disconnects.count
    # Three idle periods with nothing to send: the broker closes this producer's connections.
    end = time.monotonic() + 3 * IDLE_MS / 1000
    while time.monotonic() < end:
        producer.poll(0.1)
    check.true(f"librdkafka reported no disconnect while idle ({disconnects.count - before} lines)",
               disconnects.count > before)
    deliver(1)
    check.equal("delivery errors", delivered, [None, None])
    check.equal("high watermark", high_watermarks(eddy.bootstrap, topic, 1), [2])


own_broker.run("idle_connections", check, body, overrides={"connections.max.idle.ms": IDLE_MS})
