// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker settings of the group coordinator and of __consumer_offsets, read from
// server.properties with Kafka's names and defaults.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "group/coordinator_shard.h"
#include "record/batch.h"

namespace eddy::group {

struct runtime_config {
    coordinator_config coordinator;                      // group.*, offset(s).* of the shard
    int32_t offsets_topic_num_partitions = 50;           // offsets.topic.num.partitions
    int16_t offsets_topic_replication_factor = 3;        // offsets.topic.replication.factor
    int64_t offsets_topic_segment_bytes = 104857600;     // offsets.topic.segment.bytes
    record::compression offsets_topic_compression = record::compression::none;  // offsets.topic.compression.codec
    int32_t offsets_load_buffer_size = 5242880;          // offsets.load.buffer.size
    // "consumer" is in group.coordinator.rebalance.protocols (default "classic,consumer",
    // as Kafka 4.0; Kafka 3.9 defaults to "classic"): KIP-848 consumer groups are served.
    bool consumer_protocol_enabled = true;
};

// Throws std::runtime_error naming the key for a value that is not a number in range, a
// list with an unknown element, or settings that contradict each other as Kafka's
// GroupCoordinatorConfig checks them (startup only, like the rest of the config).
runtime_config read_runtime_config(const std::map<std::string, std::string, std::less<>>& props);

}  // namespace eddy::group
