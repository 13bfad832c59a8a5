# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kafka-python KafkaAdminClient.describe_acls, create_acls and delete_acls (DescribeAcls, CreateAcls,
# DeleteAcls v1): Eddy has no authorizer, so each answers SecurityDisabledError, as a Kafka broker without
# authorizer.class.name does (describe_acls raises it; create_acls and delete_acls return it per ACL and
# filter, as error classes), and the client stays usable (it still lists topics). SKIP on the mock
# cluster, which has none of these APIs.
import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402

from kafka.admin import KafkaAdminClient  # noqa: E402
from kafka.admin.acl_resource import (ACL, ACLFilter, ACLOperation, ACLPermissionType,  # noqa: E402
                                      ACLResourcePatternType, ResourcePattern, ResourcePatternFilter,
                                      ResourceType)
from kafka.errors import KafkaError, SecurityDisabledError  # noqa: E402

if os.environ.get("COMPAT_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
if os.environ.get("COMPAT_BROKER_KIND") == "mock":
    print("SKIP: the mock cluster has no ACL APIs")
    sys.exit(77)

topic = f"compat-acls-kafka-python-{os.environ.get('COMPAT_RUN_ID', 'manual')}"
check = expect.checker()
try:
    admin = KafkaAdminClient(bootstrap_servers=expect.bootstrap(), client_id="eddy-compat",
                             request_timeout_ms=30000, api_version_auto_timeout_ms=30000)
    acl = ACL(principal="User:alice", host="*", operation=ACLOperation.READ,
              permission_type=ACLPermissionType.ALLOW,
              resource_pattern=ResourcePattern(ResourceType.TOPIC, topic, ACLResourcePatternType.LITERAL))
    acl_filter = ACLFilter(principal="User:alice", host="*", operation=ACLOperation.ANY,
                           permission_type=ACLPermissionType.ANY,
                           resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, topic,
                                                                  ACLResourcePatternType.ANY))

    try:
        described = admin.describe_acls(acl_filter)
        check.equal("describe_acls", described, "SecurityDisabledError raised")
    except SecurityDisabledError as e:
        print(f"describe_acls: {type(e).__name__}: {e}")

    created = admin.create_acls([acl])
    print(f"create_acls: {created}")
    check.equal("create_acls succeeded", created["succeeded"], [])
    check.equal("create_acls failed with", [e for _, e in created["failed"]], [SecurityDisabledError])

    deleted = admin.delete_acls([acl_filter])
    print(f"delete_acls: {deleted}")
    check.equal("delete_acls", [(matched, e) for _, matched, e in deleted], [([], SecurityDisabledError)])

    print(f"list_topics afterwards: {len(admin.list_topics())} topics")
    admin.close()
except KafkaError as e:
    expect.fail(f"{type(e).__name__}: {e}")
check.finish()
