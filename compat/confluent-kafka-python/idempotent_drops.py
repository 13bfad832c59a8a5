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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import exactly_once  # noqa: E402
import expect  # noqa: E402
import own_broker  # noqa: E402
from drop_proxy import DropProxy  # noqa: E402

from confluent_kafka import KafkaException, Producer  # noqa: E402
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
        exactly_once.produce(producer, topic, i, PARTITIONS, failed)
    exactly_once.flush_all(producer, failed, 240)
    print(f"produced {RECORDS} records while the proxy cut {proxy.cuts} connections before their answers")
    if proxy.cuts < 5:
        check.problems.append(f"the proxy cut only {proxy.cuts} connections: too few retries to prove anything")


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
    by_partition = exactly_once.read_back(bootstrap, topic, PARTITIONS, RECORDS, f"idem-drops-{run_id}", debug)
    proxy.close()
    by_partition = {p: [k for k in keys if k != "warm-up"] for p, keys in by_partition.items()}
    exactly_once.check_each_once_in_order(by_partition, PARTITIONS, RECORDS, check)


own_broker.run("a broker behind a connection-cutting proxy", check, main, advertised_port=proxy.port)
