# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: an idempotent producer (enable.idempotence, five requests in flight) keeps
# sending while its broker is SIGKILLed and restarted; every record ends up in the log exactly once, in
# the order it was produced, although the producer retried whatever was in flight at each kill.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) so it can kill it; SKIP without one.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import exactly_once  # noqa: E402
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import KafkaException, Producer  # noqa: E402
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
        exactly_once.produce(producer, topic, i, PARTITIONS, failed)
    exactly_once.flush_all(producer, failed, 180)
    print(f"produced {RECORDS} records through {KILLS} broker kills")


def main(broker):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)], request_timeout=30)[topic].result(60)
    except KafkaException as e:
        expect.fail(f"CreateTopics: {e}")
    produce_through_kills(broker)
    by_partition = exactly_once.read_back(broker.bootstrap, topic, PARTITIONS, RECORDS, f"idem-{run_id}", debug)
    exactly_once.check_each_once_in_order(by_partition, PARTITIONS, RECORDS, check)


own_broker.run("killing and restarting the broker", check, main)
