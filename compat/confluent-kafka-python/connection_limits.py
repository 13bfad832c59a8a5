# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: max.connections.per.ip and its overrides, as Kafka's ConnectionQuotas apply them.
# Its own Eddy runs with max.connections.per.ip=4. Four plain sockets from 127.0.0.1 are served (each gets an
# ApiVersions answer) and a fifth is closed at once; while the four are open a producer cannot deliver, and
# once they close it can. DescribeConfigs shows the static value; AlterConfigs then sets
# max.connections.per.ip.overrides=127.0.0.1:50 on the broker, after which ten sockets are served at once.
# Its socket.receive.buffer.bytes=65536 is described as a static broker config, and socket.send.buffer.bytes
# with Eddy's default, -1 (the kernel's autotuning; Kafka's is 102400). Last, an Eddy with max.connections.per.ip=0 and no overrides refuses to start, with Kafka's message.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN); SKIP without one.
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic  # noqa: E402

PER_IP = 4
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
topic = f"compat-connection-limits-{run_id}"
check = expect.checker()


def open_socket(eddy):
    host, port = eddy.bootstrap.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    s.settimeout(10)
    return s


def served(s, correlation_id=7):
    """True when the broker answers an ApiVersions v0 request on s; False when it closed s."""
    client_id = b"limits"
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        s.sendall(struct.pack(">i", len(body)) + body)
        head = b""
        while len(head) < 8:
            chunk = s.recv(8 - len(head))
            if not chunk:
                return False
            head += chunk
    except (ConnectionResetError, BrokenPipeError):
        return False
    return struct.unpack(">ii", head)[1] == correlation_id


def deliver(eddy, value, timeout_ms):
    """Produces one record with acks=all; returns the delivery error (None when delivered)."""
    producer = Producer({"bootstrap.servers": eddy.bootstrap, "acks": "all", "message.timeout.ms": timeout_ms,
                         "log_level": 0})
    errors = []
    producer.produce(topic, value=value, on_delivery=lambda err, msg: errors.append(err))
    producer.flush(timeout_ms / 1000 + 10)
    del producer  # librdkafka closes its connections
    return errors[0] if errors else "no delivery report"


def body(eddy):
    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    broker = ConfigResource(ConfigResource.Type.BROKER, "1")
    entries = admin.describe_configs([broker])[broker].result(30)
    check.equal("max.connections.per.ip", entries["max.connections.per.ip"].value, str(PER_IP))
    check.equal("max.connections", entries["max.connections"].value, "2147483647")
    receive = entries["socket.receive.buffer.bytes"]
    check.equal("socket.receive.buffer.bytes", (receive.value, ConfigSource(receive.source)),
                ("65536", ConfigSource.STATIC_BROKER_CONFIG))
    check.equal("socket.send.buffer.bytes", entries["socket.send.buffer.bytes"].value, "-1")
    del admin
    time.sleep(0.5)  # the admin client's sockets close asynchronously; its slots must be free below

    held = [open_socket(eddy) for _ in range(PER_IP)]
    check.equal("the first four sockets answered", [served(s) for s in held], [True] * PER_IP)
    extra = open_socket(eddy)
    check.true("a fifth socket from 127.0.0.1 is closed, not served", not served(extra))
    extra.close()
    err = deliver(eddy, b"blocked", 3000)
    check.true(f"a producer delivered while the address was at its limit ({err})", err is not None)
    for s in held:
        s.close()
    check.equal("delivery once the sockets closed", deliver(eddy, b"after", 30000), None)

    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    # confluent-kafka 1.7 (Debian's) has AlterConfigs only: it replaces the broker's dynamic configs.
    change = ConfigResource(ConfigResource.Type.BROKER, "1")
    change.set_config("max.connections.per.ip.overrides", "127.0.0.1:50")
    admin.alter_configs([change])[change].result(30)
    entries = admin.describe_configs([broker])[broker].result(30)
    check.equal("override described", entries["max.connections.per.ip.overrides"].value, "127.0.0.1:50")
    # The broker applies the change when its metadata image reaches it: retry for a while.
    answered = []
    for _ in range(100):
        many = [open_socket(eddy) for _ in range(10)]
        answered = [served(s) for s in many]
        for s in many:
            s.close()
        if all(answered):
            break
        time.sleep(0.1)
    check.equal("ten sockets with the 127.0.0.1:50 override", answered, [True] * 10)

    refused = subprocess.run(
        [eddy.binary, "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override",
         f"log.dirs={eddy.data_dir}-refused", "--override", "max.connections.per.ip=0"],
        capture_output=True, text=True, timeout=60)
    check.true(f"max.connections.per.ip=0 without overrides started (exit {refused.returncode})",
               refused.returncode != 0)
    check.true("Kafka's message for max.connections.per.ip=0",
               "can be set to zero only if max.connections.per.ip.overrides" in refused.stdout + refused.stderr)


own_broker.run("connection_limits", check, body,
               overrides={"max.connections.per.ip": PER_IP, "socket.receive.buffer.bytes": 65536})
