// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/topic_settings.h"

#include <charconv>

#include "common/ascii.h"

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

// BrokerCompressionType's names; Kafka's forName ignores case. nullopt: `producer` or
// a value no Kafka version accepts (the controller validates, so only a hand-edited
// log gets here; keeping the producer's codec is then the harmless choice).
std::optional<record::compression> parse_compression(const std::string& name) {
    const std::string n = ascii_lower(name);
    if (n == "uncompressed") return record::compression::none;
    for (record::compression c : {record::compression::gzip, record::compression::snappy,
                                  record::compression::lz4, record::compression::zstd})
        if (n == record::to_string(c)) return c;
    return std::nullopt;
}

// LogConfig's compression: the level config of the chosen codec only.
int32_t compression_level(const std::map<std::string, std::string>& c, record::compression codec) {
    int32_t level = record::default_level(codec);
    switch (codec) {
        case record::compression::gzip: read_number(c, "compression.gzip.level", level); break;
        case record::compression::lz4: read_number(c, "compression.lz4.level", level); break;
        case record::compression::zstd: read_number(c, "compression.zstd.level", level); break;
        case record::compression::none:
        case record::compression::snappy: break;
    }
    return level;
}

}  // namespace

topic_settings parse_topic_settings(const std::map<std::string, std::string>& c) {
    topic_settings t;
    read_number(c, "segment.bytes", t.log.segment_bytes);
    read_number(c, "segment.ms", t.log.segment_ms);
    read_number(c, "segment.jitter.ms", t.log.segment_jitter_ms);
    read_number(c, "index.interval.bytes", t.log.index_interval_bytes);
    read_number(c, "segment.index.bytes", t.log.segment_index_bytes);
    read_number(c, "flush.messages", t.log.flush_messages);
    read_number(c, "flush.ms", t.log.flush_ms);
    read_number(c, "retention.ms", t.retention_ms);
    read_number(c, "retention.bytes", t.retention_bytes);
    read_number(c, "file.delete.delay.ms", t.file_delete_delay_ms);
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
    if (auto it = c.find("preallocate"); it != c.end()) t.log.preallocate = it->second == "true";
    if (auto it = c.find("cleanup.policy"); it != c.end())
    {
        t.compacted = it->second.find("compact") != std::string::npos;
        t.deletable = it->second.find("delete") != std::string::npos;
    }
    read_number(c, "min.cleanable.dirty.ratio", t.min_cleanable_ratio);
    read_number(c, "min.compaction.lag.ms", t.min_compaction_lag_ms);
    read_number(c, "max.compaction.lag.ms", t.max_compaction_lag_ms);
    // Kafka's LogConfig.maxSegmentMs: a compacted topic's active segment rolls by
    // max.compaction.lag.ms too, so its records become cleanable in time.
    if (t.compacted && t.max_compaction_lag_ms > 0)
        t.log.segment_ms = std::min(t.log.segment_ms, t.max_compaction_lag_ms);
    if (auto it = c.find("compression.type"); it != c.end()) {
        t.compression = parse_compression(it->second);
        if (t.compression) t.compression_level = compression_level(c, *t.compression);
    }
    return t;
}

}  // namespace eddy::cluster
