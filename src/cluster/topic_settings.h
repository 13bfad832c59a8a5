// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The topic configs a partition obeys, parsed once from the effective config map.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "log/log_config.h"
#include "record/compression.h"
#include "record/validate.h"

namespace eddy::cluster {

struct topic_settings {
    log::log_config log;
    int64_t retention_ms = 604800000;  // retention.ms
    int64_t retention_bytes = -1;      // retention.bytes
    int64_t file_delete_delay_ms = 60000;  // file.delete.delay.ms
    int32_t max_message_bytes = 1048588;
    int32_t min_insync_replicas = 1;
    record::timestamp_type timestamp_type = record::timestamp_type::create_time;
    int64_t timestamp_before_max_ms = INT64_MAX;
    int64_t timestamp_after_max_ms = INT64_MAX;
    bool compacted = false;  // cleanup.policy contains compact
    bool deletable = true;   // cleanup.policy contains delete
    double min_cleanable_ratio = 0.5;           // min.cleanable.dirty.ratio
    int64_t min_compaction_lag_ms = 0;          // min.compaction.lag.ms
    int64_t max_compaction_lag_ms = INT64_MAX;  // max.compaction.lag.ms
    // compression.type: the codec every batch is stored in; nullopt is `producer` (each
    // batch keeps the producer's codec), `uncompressed` is compression::none.
    std::optional<record::compression> compression;
    // compression.<codec>.level of that codec (KIP-390), on Kafka's scale; 0 for snappy
    // and none, which have no level.
    int32_t compression_level = 0;
    // The broker's eddy.produce.batch.validation (not a topic config).
    record::batch_validation batch_validation = record::batch_validation::relaxed;
};

// Reads Kafka's names (segment.bytes, retention.ms, max.message.bytes, ...) from the
// effective topic configs (controller::effective_topic_configs); a missing or
// unparsable value keeps Kafka's default. The map already holds the broker-level value
// (compression.type, compression.gzip.level, ...) where the topic has no override, so
// a broker default acts like a topic config.
topic_settings parse_topic_settings(const std::map<std::string, std::string>& configs);

}  // namespace eddy::cluster
