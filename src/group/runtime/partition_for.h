// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Which __consumer_offsets partition holds a group, as Kafka computes it.
#pragma once

#include <cstdint>
#include <string_view>

namespace eddy::group {

// Java's String.hashCode of `utf8` read as Java reads it (UTF-16 code units: characters
// above U+FFFF count as two surrogates; a malformed byte counts as U+FFFD).
int32_t java_string_hash(std::string_view utf8);

// Kafka's Utils.abs(groupId.hashCode()) % partition_count. `partition_count` > 0.
int32_t partition_for(std::string_view group_id, int32_t partition_count);

}  // namespace eddy::group
