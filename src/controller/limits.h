// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Bounds on what one controller operation may write.
#pragma once

#include <cstddef>
#include <string_view>

namespace eddy::controller {

// QuorumController.MAX_RECORDS_PER_USER_OP: an operation that would write more records
// fails as a whole with POLICY_VIOLATION and this message.
inline constexpr size_t max_records_per_operation = 10000;
inline constexpr std::string_view excessive_batch_message =
    "Unable to perform excessively large batch operation.";

}  // namespace eddy::controller
