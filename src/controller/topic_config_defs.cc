// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka 3.9's topic configs (LogConfig.CONFIG) and their broker synonyms
// (ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS).
#include <algorithm>
#include <array>

#include "controller/config_defs.h"

namespace eddy::controller {

namespace {

using t = config_type;
using v = validator_kind;
using u = unit_conversion;
constexpr std::string_view long_max = "9223372036854775807";

constexpr std::array<std::string_view, 2> cleanup_policies{"compact", "delete"};
constexpr std::array<std::string_view, 6> compression_types{"uncompressed", "zstd", "lz4",
                                                            "snappy",       "gzip", "producer"};
constexpr std::array<std::string_view, 2> timestamp_types{"CreateTime", "LogAppendTime"};

constexpr std::array<config_synonym, 1> s_cleanup{{{"log.cleanup.policy"}}};
constexpr std::array<config_synonym, 1> s_compression{{{"compression.type"}}};
constexpr std::array<config_synonym, 1> s_gzip{{{"compression.gzip.level"}}};
constexpr std::array<config_synonym, 1> s_lz4{{{"compression.lz4.level"}}};
constexpr std::array<config_synonym, 1> s_zstd{{{"compression.zstd.level"}}};
constexpr std::array<config_synonym, 1> s_delete_retention{{{"log.cleaner.delete.retention.ms"}}};
constexpr std::array<config_synonym, 1> s_file_delete{{{"log.segment.delete.delay.ms"}}};
constexpr std::array<config_synonym, 1> s_flush_messages{{{"log.flush.interval.messages"}}};
constexpr std::array<config_synonym, 2> s_flush_ms{
    {{"log.flush.interval.ms"}, {"log.flush.scheduler.interval.ms"}}};
constexpr std::array<config_synonym, 1> s_index_interval{{{"log.index.interval.bytes"}}};
constexpr std::array<config_synonym, 1> s_local_bytes{{{"log.local.retention.bytes"}}};
constexpr std::array<config_synonym, 1> s_local_ms{{{"log.local.retention.ms"}}};
constexpr std::array<config_synonym, 1> s_max_compaction{
    {{"log.cleaner.max.compaction.lag.ms"}}};
constexpr std::array<config_synonym, 1> s_max_message{{{"message.max.bytes"}}};
constexpr std::array<config_synonym, 1> s_downconversion{
    {{"log.message.downconversion.enable"}}};
constexpr std::array<config_synonym, 1> s_format{{{"log.message.format.version"}}};
constexpr std::array<config_synonym, 1> s_ts_after{{{"log.message.timestamp.after.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_before{{{"log.message.timestamp.before.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_diff{
    {{"log.message.timestamp.difference.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_type{{{"log.message.timestamp.type"}}};
constexpr std::array<config_synonym, 1> s_min_ratio{{{"log.cleaner.min.cleanable.ratio"}}};
constexpr std::array<config_synonym, 1> s_min_compaction{
    {{"log.cleaner.min.compaction.lag.ms"}}};
constexpr std::array<config_synonym, 1> s_min_isr{{{"min.insync.replicas"}}};
constexpr std::array<config_synonym, 1> s_preallocate{{{"log.preallocate"}}};
constexpr std::array<config_synonym, 1> s_retention_bytes{{{"log.retention.bytes"}}};
constexpr std::array<config_synonym, 3> s_retention_ms{{{"log.retention.ms"},
                                                        {"log.retention.minutes", u::minutes_to_ms},
                                                        {"log.retention.hours", u::hours_to_ms}}};
constexpr std::array<config_synonym, 1> s_segment_bytes{{{"log.segment.bytes"}}};
constexpr std::array<config_synonym, 1> s_segment_index{{{"log.index.size.max.bytes"}}};
constexpr std::array<config_synonym, 2> s_segment_jitter{
    {{"log.roll.jitter.ms"}, {"log.roll.jitter.hours", u::hours_to_ms}}};
constexpr std::array<config_synonym, 2> s_segment_ms{
    {{"log.roll.ms"}, {"log.roll.hours", u::hours_to_ms}}};
constexpr std::array<config_synonym, 1> s_unclean{{{"unclean.leader.election.enable"}}};

constexpr config_def def(std::string_view name, config_type type,
                         std::optional<std::string_view> dflt, validator_kind val,
                         std::optional<double> min, std::optional<double> max,
                         std::span<const config_synonym> syn,
                         std::span<const std::string_view> choices = {}) {
    return config_def{name, type, dflt, val, min, max, choices, syn, false};
}

constexpr std::nullopt_t none = std::nullopt;

// Sorted by name. LegacyRecord.RECORD_OVERHEAD_V0 (14) bounds segment.bytes.
const auto topic_defs = std::to_array<config_def>({
    def("cleanup.policy", t::list, "delete", v::list_of, none, none, s_cleanup, cleanup_policies),
    def("compression.gzip.level", t::int_, "-1", v::gzip_level, none, none, s_gzip),
    def("compression.lz4.level", t::int_, "9", v::range, 1, 17, s_lz4),
    def("compression.type", t::string, "producer", v::one_of, none, none, s_compression,
        compression_types),
    def("compression.zstd.level", t::int_, "3", v::range, -131072, 22, s_zstd),
    def("delete.retention.ms", t::long_, "86400000", v::range, 0, none, s_delete_retention),
    def("file.delete.delay.ms", t::long_, "60000", v::range, 0, none, s_file_delete),
    def("flush.messages", t::long_, long_max, v::range, 1, none, s_flush_messages),
    def("flush.ms", t::long_, long_max, v::range, 0, none, s_flush_ms),
    def("follower.replication.throttled.replicas", t::list, "", v::throttled_list, none, none,
        {}),
    def("index.interval.bytes", t::int_, "4096", v::range, 0, none, s_index_interval),
    def("leader.replication.throttled.replicas", t::list, "", v::throttled_list, none, none, {}),
    def("local.retention.bytes", t::long_, "-2", v::range, -2, none, s_local_bytes),
    def("local.retention.ms", t::long_, "-2", v::range, -2, none, s_local_ms),
    def("max.compaction.lag.ms", t::long_, long_max, v::range, 1, none, s_max_compaction),
    def("max.message.bytes", t::int_, "1048588", v::range, 0, none, s_max_message),
    def("message.downconversion.enable", t::boolean, "true", v::none, none, none,
        s_downconversion),
    def("message.format.version", t::string, "3.0-IV1", v::version, none, none, s_format),
    def("message.timestamp.after.max.ms", t::long_, long_max, v::range, 0, none, s_ts_after),
    def("message.timestamp.before.max.ms", t::long_, long_max, v::range, 0, none, s_ts_before),
    def("message.timestamp.difference.max.ms", t::long_, long_max, v::range, 0, none, s_ts_diff),
    def("message.timestamp.type", t::string, "CreateTime", v::one_of, none, none, s_ts_type,
        timestamp_types),
    def("min.cleanable.dirty.ratio", t::double_, "0.5", v::range, 0, 1, s_min_ratio),
    def("min.compaction.lag.ms", t::long_, "0", v::range, 0, none, s_min_compaction),
    def("min.insync.replicas", t::int_, "1", v::range, 1, none, s_min_isr),
    def("preallocate", t::boolean, "false", v::none, none, none, s_preallocate),
    def("remote.log.copy.disable", t::boolean, "false", v::none, none, none, {}),
    def("remote.log.delete.on.disable", t::boolean, "false", v::none, none, none, {}),
    def("remote.storage.enable", t::boolean, "false", v::none, none, none, {}),
    def("retention.bytes", t::long_, "-1", v::none, none, none, s_retention_bytes),
    def("retention.ms", t::long_, "604800000", v::range, -1, none, s_retention_ms),
    def("segment.bytes", t::int_, "1073741824", v::range, 14, none, s_segment_bytes),
    def("segment.index.bytes", t::int_, "10485760", v::range, 4, none, s_segment_index),
    def("segment.jitter.ms", t::long_, "0", v::range, 0, none, s_segment_jitter),
    def("segment.ms", t::long_, "604800000", v::range, 1, none, s_segment_ms),
    def("unclean.leader.election.enable", t::boolean, "false", v::none, none, none, s_unclean),
});

}  // namespace

std::span<const config_def> topic_config_defs() { return topic_defs; }

const config_def* find_topic_config(std::string_view name) {
    auto it = std::lower_bound(topic_defs.begin(), topic_defs.end(), name,
                               [](const config_def& d, std::string_view n) { return d.name < n; });
    return it != topic_defs.end() && it->name == name ? &*it : nullptr;
}

}  // namespace eddy::controller
