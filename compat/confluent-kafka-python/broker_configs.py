# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: the broker's own configs through DescribeConfigs and AlterConfigs, as Kafka's
# ConfigHelper and DynamicBrokerConfig answer them. Its own Eddy runs with num.partitions=3 in its
# server.properties: described as a read-only static broker config, and message.max.bytes as a dynamic one
# at its default. AlterConfigs (confluent-kafka 1.7 has no incremental form) then sets message.max.bytes and
# a name Kafka does not know: both are kept, the first described with its new value and source, the second
# as a custom config (sensitive, so no value, and read-only), as Kafka describes them. Setting
# num.partitions that way is INVALID_REQUEST with Kafka's message.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN); SKIP without one.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import KafkaError, KafkaException  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource  # noqa: E402

check = expect.checker()
CUSTOM = "eddy.compat.custom.setting"


def describe(admin, resource):
    return admin.describe_configs([resource])[resource].result(30)


def alter(admin, configs):
    change = ConfigResource(ConfigResource.Type.BROKER, "1")
    for name, value in configs.items():
        change.set_config(name, value)
    return admin.alter_configs([change])[change]


def body(eddy):
    admin = AdminClient({"bootstrap.servers": eddy.bootstrap})
    broker = ConfigResource(ConfigResource.Type.BROKER, "1")
    entries = describe(admin, broker)
    partitions = entries["num.partitions"]
    check.equal("num.partitions (value, source, read-only)",
                (partitions.value, ConfigSource(partitions.source), partitions.is_read_only),
                ("3", ConfigSource.STATIC_BROKER_CONFIG, True))
    max_bytes = entries["message.max.bytes"]
    check.equal("message.max.bytes (value, source, read-only)",
                (max_bytes.value, ConfigSource(max_bytes.source), max_bytes.is_read_only),
                ("1048588", ConfigSource.DEFAULT_CONFIG, False))
    check.true(f"{CUSTOM} is not described before it is set", CUSTOM not in entries)

    alter(admin, {"message.max.bytes": "2000000", CUSTOM: "kept"}).result(30)
    entries = describe(admin, broker)
    max_bytes = entries["message.max.bytes"]
    check.equal("message.max.bytes after AlterConfigs (value, source)",
                (max_bytes.value, ConfigSource(max_bytes.source)),
                ("2000000", ConfigSource.DYNAMIC_BROKER_CONFIG))
    custom = entries.get(CUSTOM)
    check.true(f"{CUSTOM} is described once set", custom is not None)
    if custom is not None:
        check.equal(f"{CUSTOM} (value, sensitive, read-only, source)",
                    (custom.value, custom.is_sensitive, custom.is_read_only, ConfigSource(custom.source)),
                    (None, True, True, ConfigSource.DYNAMIC_BROKER_CONFIG))

    refused = None
    try:
        alter(admin, {"num.partitions": "5"}).result(30)
    except KafkaException as e:
        refused = e.args[0]
    check.true("AlterConfigs of num.partitions is refused", refused is not None)
    if refused is not None:
        check.equal("its error", refused.code(), KafkaError.INVALID_REQUEST)
        check.equal("its message", refused.str(), "Cannot update these configs dynamically: Set(num.partitions)")
    check.equal("num.partitions unchanged", describe(admin, broker)["num.partitions"].value, "3")


own_broker.run("broker_configs", check, body, overrides={"num.partitions": 3})
