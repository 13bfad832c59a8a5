# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: a broker started with a shell's usual soft limit of 1024 open files (the hard limit
# left as it is) hosts a topic of 600 partitions, which needs about 1,800 open files for their logs and
# indexes. Kafka's JVM raises its soft limit to the hard one, and so does Eddy; before it did, the partitions
# after the 250th had no log ("Too many open files") and producing to them never completed. A record goes to
# every partition with acks=all, each is acknowledged and each partition's high watermark is 1.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN) with that limit; SKIP without one, or
# when this machine's hard limit is below what the topic needs.
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402
from confluent_io import high_watermarks  # noqa: E402

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

PARTITIONS = 600
SOFT_LIMIT = 1024
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-many-partitions-{run_id}"
check = expect.checker()


def body(eddy):
    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(60)
    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all", "linger.ms": 20,
                         "message.timeout.ms": 60000})
    errors = []
    for p in range(PARTITIONS):
        producer.produce(topic, key=f"k{p}", value=f"v{p}", partition=p,
                         on_delivery=lambda err, msg: err and errors.append(f"{msg.partition()}: {err}"))
        producer.poll(0)
    check.equal("records not acknowledged", producer.flush(90), 0)
    check.equal("delivery errors (first three)", errors[:3], [])
    marks = high_watermarks(eddy.bootstrap, topic, PARTITIONS)
    check.equal("partitions whose high watermark is not 1", [p for p, m in enumerate(marks) if m != 1], [])


hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
if hard != resource.RLIM_INFINITY and hard < 4 * PARTITIONS + 1024:
    print(f"SKIP: this machine's hard open files limit ({hard}) is below what {PARTITIONS} partitions need")
    sys.exit(own_broker.SKIP_EXIT_CODE)
own_broker.run("many_partitions", check, body, soft_open_files=SOFT_LIMIT)
