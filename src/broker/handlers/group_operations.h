// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What DescribeGroups and ConsumerGroupDescribe report as a group's authorized operations.
#pragma once

#include <cstdint>

namespace eddy::broker {

// Without an authorizer Kafka reports every operation the GROUP resource type supports
// (AclEntry.supportedOperations as of Kafka 3.9), as bits of AclOperation codes:
// READ(3) DELETE(6) DESCRIBE(8).
inline constexpr int32_t group_authorized_operations = (1 << 3) | (1 << 6) | (1 << 8);

}  // namespace eddy::broker
