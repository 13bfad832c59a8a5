// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/runtime_config.h"

#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

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

// A ConfigDef LIST: comma-separated, each element trimmed; an empty value is an empty list.
// nullopt when the key is not set.
std::optional<std::vector<std::string>> read_list(const props_map& props, const std::string& key) {
    auto it = props.find(key);
    if (it == props.end()) return std::nullopt;
    std::vector<std::string> out;
    std::string_view rest = it->second;
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (trim(rest).empty()) return out;
    while (true) {
        size_t comma = rest.find(',');
        out.emplace_back(trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

// group.coordinator.rebalance.protocols: Kafka's values, and "classic" may not be left out.
void read_rebalance_protocols(const props_map& props, runtime_config& c) {
    const std::string key = "group.coordinator.rebalance.protocols";
    std::optional<std::vector<std::string>> protocols = read_list(props, key);
    if (!protocols) return;
    bool classic = false;
    bool consumer = false;
    for (const std::string& p : *protocols) {
        if (p == "classic") classic = true;
        else if (p == "consumer") consumer = true;
        else throw std::runtime_error(key + ": '" + p + "' is not a supported protocol "
                                      "(classic, consumer)");
    }
    if (!classic)
        throw std::runtime_error(key + ": disabling the 'classic' protocol is not supported");
    c.consumer_protocol_enabled = consumer;
}

// group.consumer.assignors: Kafka's built-in assignors, by name or by class name, kept as the
// names clients send in ConsumerGroupHeartbeat.ServerAssignor.
void read_assignors(const props_map& props, coordinator_config& g) {
    const std::string key = "group.consumer.assignors";
    std::optional<std::vector<std::string>> assignors = read_list(props, key);
    if (!assignors) return;
    std::vector<std::string> names;
    for (const std::string& a : *assignors) {
        std::string name;
        if (a == "uniform" || a == "org.apache.kafka.coordinator.group.assignor.UniformAssignor")
            name = "uniform";
        else if (a == "range" || a == "org.apache.kafka.coordinator.group.assignor.RangeAssignor")
            name = "range";
        else
            throw std::runtime_error(key + ": '" + a + "' is not a server side assignor Eddy has "
                                     "(uniform, range)");
        for (const std::string& n : names)
            if (n == name) throw std::runtime_error(key + ": '" + name + "' is listed twice");
        names.push_back(std::move(name));
    }
    if (names.empty()) throw std::runtime_error(key + ": at least one assignor is needed");
    g.consumer_assignors = std::move(names);
}

// The bounds GroupCoordinatorConfig checks between group.consumer.* settings.
void check_between(int32_t min, int32_t value, int32_t max, const std::string& what) {
    const std::string prefix = "group.consumer.";
    if (max < min)
        throw std::runtime_error(prefix + "max." + what + " must be greater than or equal to " +
                                 prefix + "min." + what);
    if (value < min)
        throw std::runtime_error(prefix + what + " must be greater than or equal to " + prefix +
                                 "min." + what);
    if (value > max)
        throw std::runtime_error(prefix + what + " must be less than or equal to " + prefix +
                                 "max." + what);
}

void read_consumer_group_config(const props_map& props, coordinator_config& g) {
    // Kafka's defaults for the bounds; they only constrain the values above (Kafka 3.9 has
    // no per-group overrides for them to bound).
    int32_t min_session = 45000;
    int32_t max_session = 60000;
    int32_t min_heartbeat = 5000;
    int32_t max_heartbeat = 15000;
    read_number<int32_t>(props, "group.consumer.session.timeout.ms", 1,
                         g.consumer_session_timeout_ms);
    read_number<int32_t>(props, "group.consumer.min.session.timeout.ms", 1, min_session);
    read_number<int32_t>(props, "group.consumer.max.session.timeout.ms", 1, max_session);
    read_number<int32_t>(props, "group.consumer.heartbeat.interval.ms", 1,
                         g.consumer_heartbeat_interval_ms);
    read_number<int32_t>(props, "group.consumer.min.heartbeat.interval.ms", 1, min_heartbeat);
    read_number<int32_t>(props, "group.consumer.max.heartbeat.interval.ms", 1, max_heartbeat);
    read_number<int32_t>(props, "group.consumer.max.size", 1, g.consumer_max_size);
    check_between(min_heartbeat, g.consumer_heartbeat_interval_ms, max_heartbeat,
                  "heartbeat.interval.ms");
    check_between(min_session, g.consumer_session_timeout_ms, max_session, "session.timeout.ms");
    read_assignors(props, g);
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
    read_consumer_group_config(props, g);
    read_rebalance_protocols(props, c);
    return c;
}

}  // namespace eddy::group
