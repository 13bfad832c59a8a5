// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Partitions a request names more than once. Kafka gathers the partitions of a Produce,
// Fetch, DeleteRecords or ListOffsets in a map keyed by topic and partition, so a partition
// named twice is one entry there (for ListOffsets an INVALID_REQUEST one); the handlers
// find the repeats with this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::broker {

// A partition as a request names it: its topic (the name, or the 16 bytes of its id) and
// its index. The views point into the request.
using partition_key = std::pair<std::string_view, int32_t>;

// For each mention, in request order, the first and the last mention of the same
// partition; both empty when no partition is named twice.
struct repeated_partitions {
    std::vector<size_t> first;
    std::vector<size_t> last;
    bool none() const { return first.empty(); }
};

repeated_partitions find_repeated_partitions(std::span<const partition_key> mentions);

}  // namespace eddy::broker
