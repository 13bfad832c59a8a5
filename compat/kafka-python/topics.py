# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python KafkaAdminClient: create a topic with 3 partitions, see it in metadata,
# describe and alter a config, add partitions, delete it and see it gone. Counts no
# broker could place (2147483647 partitions) are refused whole with POLICY_VIOLATION.
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

import kafka  # noqa: E402
from kafka.admin import (ConfigResource, ConfigResourceType, KafkaAdminClient,  # noqa: E402
                         NewPartitions, NewTopic)
from kafka.errors import KafkaError, PolicyViolationError  # noqa: E402

if os.environ.get("COMPAT_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
print(f"kafka-python {kafka.__version__}")
topic = f"compat-topics-{os.environ.get('COMPAT_RUN_ID', 'local')}"
check = expect.checker()


def partitions_seen(admin):
    for t in admin.describe_topics([topic]):
        if t["topic"] == topic and t["error_code"] == 0:
            return len(t["partitions"])
    return None


def topic_config(admin, name):
    responses = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {name: None})])
    for response in responses:
        for resource in response.resources:
            # (error_code, error_message, resource_type, resource_name, config_entries)
            for entry in resource[4]:
                if entry[0] == name:
                    return entry[1]
    return None


try:
    admin = KafkaAdminClient(bootstrap_servers=expect.bootstrap(), client_id="eddy-compat",
                             request_timeout_ms=30000, api_version_auto_timeout_ms=30000)
    created = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    print(f"create_topics: {created.topic_errors}")
    check.equal("create_topics errors", [e[1] for e in created.topic_errors], [0])
    seen = partitions_seen(admin)
    print(f"describe_topics: {seen} partitions (kafka-python 2.0 exposes no topic ids)")
    check.equal("partitions after create", seen, 3)

    retention = topic_config(admin, "retention.ms")
    print(f"retention.ms = {retention}")
    check.equal("default retention.ms", retention, "604800000")
    altered = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                  {"retention.ms": "3600000"})])
    print(f"alter_configs: {altered}")
    retention = topic_config(admin, "retention.ms")
    print(f"after alter_configs: retention.ms = {retention}")
    check.equal("retention.ms after alter_configs", retention, "3600000")

    grown = admin.create_partitions({topic: NewPartitions(5)})
    print(f"create_partitions: {grown.topic_errors}")
    seen = partitions_seen(admin)
    print(f"after create_partitions: {seen} partitions")
    check.equal("partitions after create_partitions", seen, 5)

    # Kafka's ReplicationControlManager refuses more than 10,000 partitions in one
    # CreateTopics before placing any; more than 10,000 new partitions would be more
    # records than one controller operation may write.
    def refusal(call):
        """kafka-python raises for a topic error; the error's text quotes the response."""
        try:
            return f"accepted: {call().topic_errors}"
        except PolicyViolationError as e:
            return str(e)

    refused = refusal(lambda: admin.create_topics([NewTopic(topic + "-huge", num_partitions=2147483647,
                                                            replication_factor=1)]))
    print(f"create_topics of 2147483647 partitions: {refused}")
    check.true("create_topics of 2147483647 partitions: POLICY_VIOLATION",
               "error_code=44, error_message='Excessively large number of partitions per request.'" in refused)
    refused = refusal(lambda: admin.create_partitions({topic: NewPartitions(2147483647)}))
    print(f"create_partitions to 2147483647: {refused}")
    check.true("create_partitions to 2147483647: POLICY_VIOLATION",
               "error_code=44, error_message='Unable to perform excessively large batch operation.'" in refused)
    check.equal("partitions after the refused requests", partitions_seen(admin), 5)

    deleted = admin.delete_topics([topic])
    print(f"delete_topics: {deleted.topic_error_codes}")
    check.equal("delete_topics errors", [e[1] for e in deleted.topic_error_codes], [0])
    remaining = admin.list_topics()
    print(f"after delete_topics: present={topic in remaining}")
    check.true(f"{topic} still listed after delete", topic not in remaining)
    admin.close()
except KafkaError as e:
    expect.fail(f"{type(e).__name__}: {e}")
check.finish()
