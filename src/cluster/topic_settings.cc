// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/topic_settings.h"

#include <charconv>

namespace eddy::cluster {
namespace {

template <class T>
void read_number(const std::map<std::string, std::string>& c, const char* key, T& out) {
    auto it = c.find(key);
    if (it == c.end()) return;
    T v{};
    const std::string& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) out = v;
}

}  // namespace

topic_settings parse_topic_settings(const std::map<std::string, std::string>& c) {
    topic_settings t;
    read_number(c, "segment.bytes", t.log.segment_bytes);
    read_number(c, "segment.ms", t.log.segment_ms);
    read_number(c, "index.interval.bytes", t.log.index_interval_bytes);
    read_number(c, "segment.index.bytes", t.log.segment_index_bytes);
    read_number(c, "flush.messages", t.log.flush_messages);
    read_number(c, "flush.ms", t.log.flush_ms);
    read_number(c, "retention.ms", t.retention_ms);
    read_number(c, "retention.bytes", t.retention_bytes);
    read_number(c, "max.message.bytes", t.max_message_bytes);
    read_number(c, "min.insync.replicas", t.min_insync_replicas);
    int64_t difference = INT64_MAX;
    read_number(c, "message.timestamp.difference.max.ms", difference);
    read_number(c, "message.timestamp.before.max.ms", t.timestamp_before_max_ms);
    read_number(c, "message.timestamp.after.max.ms", t.timestamp_after_max_ms);
    t.timestamp_before_max_ms = record::effective_timestamp_bound(t.timestamp_before_max_ms, difference);
    t.timestamp_after_max_ms = record::effective_timestamp_bound(t.timestamp_after_max_ms, difference);
    if (auto it = c.find("message.timestamp.type"); it != c.end() && it->second == "LogAppendTime")
        t.timestamp_type = record::timestamp_type::log_append_time;
    if (auto it = c.find("cleanup.policy"); it != c.end())
    {
        t.compacted = it->second.find("compact") != std::string::npos;
        t.deletable = it->second.find("delete") != std::string::npos;
    }
    return t;
}

}  // namespace eddy::cluster
