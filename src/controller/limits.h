// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Bounds on one controller operation: what it may write, and when it must have run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy::controller {

// QuorumController.MAX_RECORDS_PER_USER_OP: a CreateTopics that would write more records
// fails as a whole with POLICY_VIOLATION and this message. Kafka's DeleteTopics and
// CreatePartitions catch the overflow per topic instead (UNKNOWN_SERVER_ERROR) and commit
// the records made before it, part of one topic's new partitions included; Eddy refuses
// them as a whole too, so that a failed request changes nothing.
inline constexpr size_t max_records_per_operation = 10000;
inline constexpr std::string_view excessive_batch_message =
    "Unable to perform excessively large batch operation.";

// ReplicationControlManager.MAX_PARTITIONS_PER_BATCH: a CreateTopics whose topics ask for
// more partitions in all fails as a whole with POLICY_VIOLATION and this message, checked
// before any topic is looked at.
inline constexpr int32_t max_partitions_per_create = 10000;
inline constexpr std::string_view excessive_partitions_message =
    "Excessively large number of partitions per request.";

// ControllerApis gives a request's controller operation the deadline now + timeout_ms, and
// KafkaEventQueue fails an event whose deadline has passed before running it. So with a
// timeout of 0 or less the operation always fails, and nothing is applied: every entry of
// the request gets REQUEST_TIMED_OUT (its getErrorResponse). That is, once anything is
// left to queue; entries ControllerApis refuses itself (duplicates, a name with an id) do
// not reach the queue, and a request of only those is answered as usual.
constexpr bool deadline_passed_in_queue(int32_t timeout_ms) { return timeout_ms <= 0; }

}  // namespace eddy::controller
