// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/runtime_config.h"

#include <limits>
#include <stdexcept>

namespace eddy::group {
namespace {

using props_map = std::map<std::string, std::string, std::less<>>;

// Kafka's ConfigDef range checks for these keys: every one has a lower bound.
template <class T>
void read_number(const props_map& props, const std::string& key, T min, T& out) {
    auto it = props.find(key);
    if (it == props.end()) return;
    try {
        size_t used = 0;
        long long v = std::stoll(it->second, &used);
        if (used != it->second.size() || v < static_cast<long long>(min) ||
            v > static_cast<long long>(std::numeric_limits<T>::max()))
            throw std::out_of_range(key);
        out = static_cast<T>(v);
    } catch (const std::exception&) {
        throw std::runtime_error(key + ": '" + it->second + "' is not a valid value");
    }
}

}  // namespace

runtime_config read_runtime_config(const props_map& props) {
    runtime_config c;
    coordinator_config& g = c.coordinator;
    read_number<int32_t>(props, "group.min.session.timeout.ms", 0, g.group_min_session_timeout_ms);
    read_number<int32_t>(props, "group.max.session.timeout.ms", 0, g.group_max_session_timeout_ms);
    read_number<int32_t>(props, "group.initial.rebalance.delay.ms", 0,
                         g.group_initial_rebalance_delay_ms);
    read_number<int32_t>(props, "group.max.size", 1, g.group_max_size);
    read_number<int32_t>(props, "offset.metadata.max.bytes", 0, g.offset_metadata_max_bytes);
    read_number<int64_t>(props, "offsets.retention.minutes", 1, g.offsets_retention_minutes);
    read_number<int64_t>(props, "offsets.retention.check.interval.ms", 1,
                         g.offsets_retention_check_interval_ms);
    read_number<int32_t>(props, "offsets.topic.num.partitions", 1, c.offsets_topic_num_partitions);
    read_number<int16_t>(props, "offsets.topic.replication.factor", 1,
                         c.offsets_topic_replication_factor);
    read_number<int64_t>(props, "offsets.topic.segment.bytes", 1, c.offsets_topic_segment_bytes);
    read_number<int32_t>(props, "offsets.load.buffer.size", 1, c.offsets_load_buffer_size);
    int32_t codec = 0;  // CompressionType ids: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
    read_number<int32_t>(props, "offsets.topic.compression.codec", 0, codec);
    if (codec > 4) throw std::runtime_error("offsets.topic.compression.codec: unknown codec id");
    c.offsets_topic_compression = static_cast<record::compression>(codec);
    return c;
}

}  // namespace eddy::group
