// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker configs Eddy describes (a subset of Kafka 3.9's KafkaConfig: the ones this
// broker acts on, and every broker synonym of a topic config), with Kafka's types,
// defaults and dynamic-update flags (DynamicBrokerConfig.AllDynamicConfigs).
#include <algorithm>
#include <array>

#include "controller/config_defs.h"

namespace eddy::controller {

namespace {

using t = config_type;
using v = validator_kind;
constexpr std::string_view long_max = "9223372036854775807";
constexpr std::string_view int_max = "2147483647";
constexpr std::nullopt_t none = std::nullopt;

constexpr std::array<std::string_view, 2> cleanup_policies{"compact", "delete"};
constexpr std::array<std::string_view, 6> compression_types{"uncompressed", "zstd", "lz4",
                                                            "snappy",       "gzip", "producer"};
constexpr std::array<std::string_view, 2> timestamp_types{"CreateTime", "LogAppendTime"};
// The group types Eddy serves (Kafka also knows "share", in early access in 3.9).
constexpr std::array<std::string_view, 2> rebalance_protocols{"classic", "consumer"};

constexpr config_def def(std::string_view name, config_type type,
                         std::optional<std::string_view> dflt, bool dynamic,
                         validator_kind val = v::none, std::optional<double> min = none,
                         std::optional<double> max = none,
                         std::span<const std::string_view> choices = {}) {
    return config_def{name, type, dflt, val, min, max, choices, {}, dynamic};
}

// Sorted by name.
const auto broker_defs = std::to_array<config_def>({
    def("advertised.listeners", t::string, none, true),
    def("auto.create.topics.enable", t::boolean, "true", false),
    def("auto.leader.rebalance.enable", t::boolean, "true", false),
    def("background.threads", t::int_, "10", true, v::range, 1),
    def("broker.id", t::int_, "-1", false),
    def("broker.rack", t::string, none, false),
    def("compression.gzip.level", t::int_, "-1", true, v::gzip_level),
    def("compression.lz4.level", t::int_, "9", true, v::range, 1, 17),
    def("compression.type", t::string, "producer", true, v::one_of, none, none,
        compression_types),
    def("compression.zstd.level", t::int_, "3", true, v::range, -131072, 22),
    def("connections.max.idle.ms", t::long_, "600000", false),
    def("controller.listener.names", t::string, none, false),
    def("controller.quorum.bootstrap.servers", t::list, "", false),
    def("controller.quorum.voters", t::list, "", false),
    def("default.replication.factor", t::int_, "1", false),
    def("delete.topic.enable", t::boolean, "true", false),
    def("fetch.max.bytes", t::int_, "57671680", false, v::range, 1024),
    // KIP-848 consumer groups. The defaults of group.consumer.assignors (the built-in names)
    // and group.coordinator.rebalance.protocols (consumer groups on) are Kafka 4.0's.
    def("group.consumer.assignors", t::list, "uniform,range", false),
    def("group.consumer.heartbeat.interval.ms", t::int_, "5000", false, v::range, 1),
    def("group.consumer.max.heartbeat.interval.ms", t::int_, "15000", false, v::range, 1),
    def("group.consumer.max.session.timeout.ms", t::int_, "60000", false, v::range, 1),
    def("group.consumer.max.size", t::int_, int_max, false, v::range, 1),
    def("group.consumer.min.heartbeat.interval.ms", t::int_, "5000", false, v::range, 1),
    def("group.consumer.min.session.timeout.ms", t::int_, "45000", false, v::range, 1),
    def("group.consumer.session.timeout.ms", t::int_, "45000", false, v::range, 1),
    def("group.coordinator.rebalance.protocols", t::list, "classic,consumer", false, v::list_of,
        none, none, rebalance_protocols),
    def("group.initial.rebalance.delay.ms", t::int_, "3000", false),
    def("group.max.session.timeout.ms", t::int_, "1800000", false),
    def("group.min.session.timeout.ms", t::int_, "6000", false),
    def("inter.broker.listener.name", t::string, none, false),
    def("listener.security.protocol.map", t::string,
        "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", true),
    def("listeners", t::string, "PLAINTEXT://:9092", true),
    def("log.cleaner.delete.retention.ms", t::long_, "86400000", true, v::range, 0),
    def("log.cleaner.enable", t::boolean, "true", false),
    def("log.cleaner.max.compaction.lag.ms", t::long_, long_max, true, v::range, 1),
    def("log.cleaner.min.cleanable.ratio", t::double_, "0.5", true, v::range, 0, 1),
    def("log.cleaner.min.compaction.lag.ms", t::long_, "0", true, v::range, 0),
    def("log.cleaner.threads", t::int_, "1", true, v::range, 0),
    def("log.cleanup.policy", t::list, "delete", true, v::list_of, none, none, cleanup_policies),
    def("log.dir", t::string, "/tmp/kafka-logs", false),
    def("log.dirs", t::string, none, false),
    def("log.flush.interval.messages", t::long_, long_max, true, v::range, 1),
    def("log.flush.interval.ms", t::long_, none, true),
    def("log.flush.scheduler.interval.ms", t::long_, long_max, false),
    def("log.index.interval.bytes", t::int_, "4096", true, v::range, 0),
    def("log.index.size.max.bytes", t::int_, "10485760", true, v::range, 4),
    def("log.local.retention.bytes", t::long_, "-2", true, v::range, -2),
    def("log.local.retention.ms", t::long_, "-2", true, v::range, -2),
    def("log.message.downconversion.enable", t::boolean, "true", true),
    def("log.message.format.version", t::string, "3.0-IV1", false, v::version),
    def("log.message.timestamp.after.max.ms", t::long_, long_max, true, v::range, 0),
    def("log.message.timestamp.before.max.ms", t::long_, long_max, true, v::range, 0),
    def("log.message.timestamp.difference.max.ms", t::long_, long_max, true, v::range, 0),
    def("log.message.timestamp.type", t::string, "CreateTime", true, v::one_of, none, none,
        timestamp_types),
    def("log.preallocate", t::boolean, "false", true),
    def("log.retention.bytes", t::long_, "-1", true),
    def("log.retention.check.interval.ms", t::long_, "300000", false, v::range, 1),
    def("log.retention.hours", t::int_, "168", false),
    def("log.retention.minutes", t::int_, none, false),
    def("log.retention.ms", t::long_, none, true),
    def("log.roll.hours", t::int_, "168", false, v::range, 1),
    def("log.roll.jitter.hours", t::int_, "0", false, v::range, 0),
    def("log.roll.jitter.ms", t::long_, none, true),
    def("log.roll.ms", t::long_, none, true),
    def("log.segment.bytes", t::int_, "1073741824", true, v::range, 14),
    def("log.segment.delete.delay.ms", t::long_, "60000", true, v::range, 0),
    def("max.connections", t::int_, int_max, true, v::range, 0),
    def("max.connections.per.ip", t::int_, int_max, true, v::range, 0),
    def("max.connections.per.ip.overrides", t::string, "", true),
    def("max.request.partition.size.limit", t::int_, "2000", false, v::range, 1),
    def("message.max.bytes", t::int_, "1048588", true, v::range, 0),
    def("metadata.log.dir", t::string, none, false),
    def("min.insync.replicas", t::int_, "1", true, v::range, 1),
    def("node.id", t::int_, "-1", false),
    def("num.io.threads", t::int_, "8", true, v::range, 1),
    def("num.network.threads", t::int_, "3", true, v::range, 1),
    def("num.partitions", t::int_, "1", false, v::range, 1),
    def("num.recovery.threads.per.data.dir", t::int_, "1", true, v::range, 1),
    def("num.replica.fetchers", t::int_, "1", true),
    def("offsets.retention.minutes", t::int_, "10080", false, v::range, 1),
    def("offsets.topic.num.partitions", t::int_, "50", false, v::range, 1),
    def("offsets.topic.replication.factor", t::short_, "3", false, v::range, 1),
    def("offsets.topic.segment.bytes", t::int_, "104857600", false, v::range, 1),
    def("process.roles", t::list, "", false),
    def("producer.id.expiration.ms", t::int_, "86400000", true, v::range, 1),
    def("replica.lag.time.max.ms", t::long_, "30000", false),
    def("request.timeout.ms", t::int_, "30000", false),
    def("sasl.jaas.config", t::password, none, false),
    // Kafka's default is 102400; Eddy's is -1 (the kernel's autotuned buffers), see
    // config/broker_config.h.
    def("socket.receive.buffer.bytes", t::int_, "-1", false),
    def("socket.request.max.bytes", t::int_, "104857600", false, v::range, 1),
    def("socket.send.buffer.bytes", t::int_, "-1", false),
    def("ssl.key.password", t::password, none, true),
    def("ssl.keystore.password", t::password, none, true),
    def("transaction.abort.timed.out.transaction.cleanup.interval.ms", t::int_, "10000", false,
        v::range, 1),
    def("transaction.max.timeout.ms", t::int_, "900000", false, v::range, 1),
    def("transaction.remove.expired.transaction.cleanup.interval.ms", t::int_, "3600000", false,
        v::range, 1),
    def("transaction.state.log.load.buffer.size", t::int_, "5242880", false, v::range, 1),
    def("transaction.state.log.min.isr", t::int_, "2", false, v::range, 1),
    def("transaction.state.log.num.partitions", t::int_, "50", false, v::range, 1),
    def("transaction.state.log.replication.factor", t::short_, "3", false, v::range, 1),
    def("transaction.state.log.segment.bytes", t::int_, "104857600", false, v::range, 1),
    def("transactional.id.expiration.ms", t::int_, "604800000", false, v::range, 1),
    def("unclean.leader.election.enable", t::boolean, "false", true),
});

bool sorted_by_name() {
    return std::is_sorted(broker_defs.begin(), broker_defs.end(),
                          [](const config_def& a, const config_def& b) { return a.name < b.name; });
}

}  // namespace

std::span<const config_def> broker_config_defs() { return broker_defs; }

const config_def* find_broker_config(std::string_view name) {
    static const bool sorted = sorted_by_name();
    if (!sorted) {
        auto it = std::find_if(broker_defs.begin(), broker_defs.end(),
                               [&](const config_def& d) { return d.name == name; });
        return it == broker_defs.end() ? nullptr : &*it;
    }
    auto it = std::lower_bound(broker_defs.begin(), broker_defs.end(), name,
                               [](const config_def& d, std::string_view n) { return d.name < n; });
    return it != broker_defs.end() && it->name == name ? &*it : nullptr;
}

std::vector<std::string_view> broker_config_synonyms(std::string_view name) {
    if (name == "log.roll.ms" || name == "log.roll.hours") return {"log.roll.ms", "log.roll.hours"};
    if (name == "log.roll.jitter.ms" || name == "log.roll.jitter.hours") {
        return {"log.roll.jitter.ms", "log.roll.jitter.hours"};
    }
    if (name == "log.flush.interval.ms") {
        return {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"};
    }
    if (name == "log.retention.ms" || name == "log.retention.minutes" ||
        name == "log.retention.hours") {
        return {"log.retention.ms", "log.retention.minutes", "log.retention.hours"};
    }
    return {name};
}

}  // namespace eddy::controller
