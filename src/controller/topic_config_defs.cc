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
using namespace config_literals;
using u = unit_conversion;

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
constexpr std::array<config_synonym, 1> s_max_compaction{{{"log.cleaner.max.compaction.lag.ms"}}};
constexpr std::array<config_synonym, 1> s_max_message{{{"message.max.bytes"}}};
constexpr std::array<config_synonym, 1> s_downconversion{{{"log.message.downconversion.enable"}}};
constexpr std::array<config_synonym, 1> s_format{{{"log.message.format.version"}}};
constexpr std::array<config_synonym, 1> s_ts_after{{{"log.message.timestamp.after.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_before{{{"log.message.timestamp.before.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_diff{{{"log.message.timestamp.difference.max.ms"}}};
constexpr std::array<config_synonym, 1> s_ts_type{{{"log.message.timestamp.type"}}};
constexpr std::array<config_synonym, 1> s_min_ratio{{{"log.cleaner.min.cleanable.ratio"}}};
constexpr std::array<config_synonym, 1> s_min_compaction{{{"log.cleaner.min.compaction.lag.ms"}}};
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

constexpr config_def topic_def(std::string_view name, config_type type,
                               std::optional<std::string_view> dflt, validator_kind val,
                               std::optional<double> min, std::optional<double> max,
                               std::span<const config_synonym> syn,
                               std::span<const std::string_view> choices = {}) {
    return config_def{name, type, dflt, val, min, max, choices, syn, false};
}

// Sorted by name. LegacyRecord.RECORD_OVERHEAD_V0 (14) bounds segment.bytes.
const auto topic_defs = std::to_array<config_def>({
    topic_def("cleanup.policy", t::list, "delete", v::list_of, none, none, s_cleanup,
              cleanup_policies),
    topic_def("compression.gzip.level", t::int_, "-1", v::gzip_level, none, none, s_gzip),
    topic_def("compression.lz4.level", t::int_, "9", v::range, 1, 17, s_lz4),
    topic_def("compression.type", t::string, "producer", v::one_of, none, none, s_compression,
              compression_types),
    topic_def("compression.zstd.level", t::int_, "3", v::range, -131072, 22, s_zstd),
    topic_def("delete.retention.ms", t::long_, "86400000", v::range, 0, none, s_delete_retention),
    topic_def("file.delete.delay.ms", t::long_, "60000", v::range, 0, none, s_file_delete),
    topic_def("flush.messages", t::long_, long_max, v::range, 1, none, s_flush_messages),
    topic_def("flush.ms", t::long_, long_max, v::range, 0, none, s_flush_ms),
    topic_def("follower.replication.throttled.replicas", t::list, "", v::throttled_list, none, none,
              {}),
    topic_def("index.interval.bytes", t::int_, "4096", v::range, 0, none, s_index_interval),
    topic_def("leader.replication.throttled.replicas", t::list, "", v::throttled_list, none, none,
              {}),
    topic_def("local.retention.bytes", t::long_, "-2", v::range, -2, none, s_local_bytes),
    topic_def("local.retention.ms", t::long_, "-2", v::range, -2, none, s_local_ms),
    topic_def("max.compaction.lag.ms", t::long_, long_max, v::range, 1, none, s_max_compaction),
    topic_def("max.message.bytes", t::int_, "1048588", v::range, 0, none, s_max_message),
    topic_def("message.downconversion.enable", t::boolean, "true", v::none, none, none,
              s_downconversion),
    topic_def("message.format.version", t::string, "3.0-IV1", v::version, none, none, s_format),
    topic_def("message.timestamp.after.max.ms", t::long_, long_max, v::range, 0, none, s_ts_after),
    topic_def("message.timestamp.before.max.ms", t::long_, long_max, v::range, 0, none,
              s_ts_before),
    topic_def("message.timestamp.difference.max.ms", t::long_, long_max, v::range, 0, none,
              s_ts_diff),
    topic_def("message.timestamp.type", t::string, "CreateTime", v::one_of, none, none, s_ts_type,
              timestamp_types),
    topic_def("min.cleanable.dirty.ratio", t::double_, "0.5", v::range, 0, 1, s_min_ratio),
    topic_def("min.compaction.lag.ms", t::long_, "0", v::range, 0, none, s_min_compaction),
    topic_def("min.insync.replicas", t::int_, "1", v::range, 1, none, s_min_isr),
    topic_def("preallocate", t::boolean, "false", v::none, none, none, s_preallocate),
    topic_def("remote.log.copy.disable", t::boolean, "false", v::none, none, none, {}),
    topic_def("remote.log.delete.on.disable", t::boolean, "false", v::none, none, none, {}),
    topic_def("remote.storage.enable", t::boolean, "false", v::none, none, none, {}),
    topic_def("retention.bytes", t::long_, "-1", v::none, none, none, s_retention_bytes),
    topic_def("retention.ms", t::long_, "604800000", v::range, -1, none, s_retention_ms),
    topic_def("segment.bytes", t::int_, "1073741824", v::range, 14, none, s_segment_bytes),
    topic_def("segment.index.bytes", t::int_, "10485760", v::range, 4, none, s_segment_index),
    topic_def("segment.jitter.ms", t::long_, "0", v::range, 0, none, s_segment_jitter),
    topic_def("segment.ms", t::long_, "604800000", v::range, 1, none, s_segment_ms),
    topic_def("unclean.leader.election.enable", t::boolean, "false", v::none, none, none,
              s_unclean),
});

}  // namespace

std::span<const config_def> topic_config_defs() { return topic_defs; }

const config_def* find_topic_config(std::string_view name) {
    auto it = std::lower_bound(topic_defs.begin(), topic_defs.end(), name,
                               [](const config_def& d, std::string_view n) { return d.name < n; });
    return it != topic_defs.end() && it->name == name ? &*it : nullptr;
}

}  // namespace eddy::controller
