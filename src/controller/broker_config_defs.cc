// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker configs Eddy describes (a subset of Kafka 3.9's KafkaConfig: the ones this
// broker acts on, and every broker synonym of a topic config), with Kafka's types,
// defaults and dynamic-update flags (DynamicBrokerConfig.AllDynamicConfigs).
#include <algorithm>
#include <array>
#include <string>

#include "common/hardware_threads.h"
#include "controller/config_defs.h"

namespace eddy::controller {

namespace {

using t = config_type;
using v = validator_kind;
using namespace config_literals;
constexpr std::string_view int_max = "2147483647";
// The group types Eddy serves (Kafka also knows "share", in early access in 3.9).
constexpr std::array<std::string_view, 2> rebalance_protocols{"classic", "consumer"};

constexpr config_def broker_def(std::string_view name, config_type type,
                                std::optional<std::string_view> dflt, bool dynamic,
                                validator_kind val = v::none, std::optional<double> min = none,
                                std::optional<double> max = none,
                                std::span<const std::string_view> choices = {}) {
    return config_def{name, type, dflt, val, min, max, choices, {}, dynamic};
}

// Six defaults are Eddy's, not Kafka's: what `eddy` without a file runs with (see
// config::broker_config), so that DescribeConfigs tells the values in use. Kafka has no
// default node.id or process.roles; broker.id follows node.id (populateSynonyms);
// listeners and log.dir name Eddy's port and directory; num.network.threads is one per
// hardware thread (net::server), not Kafka's 3.
constexpr std::string_view eddy_node_id = "1";

std::string_view eddy_network_threads() {
    static const std::string text = std::to_string(hardware_threads());
    return text;
}

// Sorted by name.
const auto broker_defs = std::to_array<config_def>({
    broker_def("advertised.listeners", t::string, none, true),
    broker_def("auto.create.topics.enable", t::boolean, "true", false),
    broker_def("auto.leader.rebalance.enable", t::boolean, "true", false),
    broker_def("background.threads", t::int_, "10", true, v::range, 1),
    broker_def("broker.id", t::int_, eddy_node_id, false),
    broker_def("broker.rack", t::string, none, false),
    broker_def("compression.gzip.level", t::int_, "-1", true, v::gzip_level),
    broker_def("compression.lz4.level", t::int_, "9", true, v::range, 1, 17),
    broker_def("compression.type", t::string, "producer", true, v::one_of, none, none,
               compression_types),
    broker_def("compression.zstd.level", t::int_, "3", true, v::range, -131072, 22),
    broker_def("connections.max.idle.ms", t::long_, "600000", false),
    broker_def("controller.listener.names", t::string, none, false),
    broker_def("controller.quorum.bootstrap.servers", t::list, "", false),
    broker_def("controller.quorum.voters", t::list, "", false),
    broker_def("default.replication.factor", t::int_, "1", false),
    broker_def("delete.topic.enable", t::boolean, "true", false),
    broker_def("fetch.max.bytes", t::int_, "57671680", false, v::range, 1024),
    // KIP-848 consumer groups. The defaults of group.consumer.assignors (the built-in names)
    // and group.coordinator.rebalance.protocols (consumer groups on) are Kafka 4.0's.
    broker_def("group.consumer.assignors", t::list, "uniform,range", false),
    broker_def("group.consumer.heartbeat.interval.ms", t::int_, "5000", false, v::range, 1),
    broker_def("group.consumer.max.heartbeat.interval.ms", t::int_, "15000", false, v::range, 1),
    broker_def("group.consumer.max.session.timeout.ms", t::int_, "60000", false, v::range, 1),
    broker_def("group.consumer.max.size", t::int_, int_max, false, v::range, 1),
    broker_def("group.consumer.min.heartbeat.interval.ms", t::int_, "5000", false, v::range, 1),
    broker_def("group.consumer.min.session.timeout.ms", t::int_, "45000", false, v::range, 1),
    broker_def("group.consumer.session.timeout.ms", t::int_, "45000", false, v::range, 1),
    broker_def("group.coordinator.rebalance.protocols", t::list, "classic,consumer", false,
               v::list_of, none, none, rebalance_protocols),
    broker_def("group.initial.rebalance.delay.ms", t::int_, "3000", false),
    broker_def("group.max.session.timeout.ms", t::int_, "1800000", false),
    broker_def("group.min.session.timeout.ms", t::int_, "6000", false),
    broker_def("inter.broker.listener.name", t::string, none, false),
    broker_def("listener.security.protocol.map", t::string,
               "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", true),
    broker_def("listeners", t::string, "PLAINTEXT://localhost:9092", true),
    broker_def("log.cleaner.backoff.ms", t::long_, "15000", true, v::range, 0),
    broker_def("log.cleaner.dedupe.buffer.size", t::long_, "134217728", true),
    broker_def("log.cleaner.delete.retention.ms", t::long_, "86400000", true, v::range, 0),
    broker_def("log.cleaner.enable", t::boolean, "true", false),
    broker_def("log.cleaner.max.compaction.lag.ms", t::long_, long_max, true, v::range, 1),
    broker_def("log.cleaner.min.cleanable.ratio", t::double_, "0.5", true, v::range, 0, 1),
    broker_def("log.cleaner.min.compaction.lag.ms", t::long_, "0", true, v::range, 0),
    broker_def("log.cleaner.threads", t::int_, "1", true, v::range, 0),
    broker_def("log.cleanup.policy", t::list, "delete", true, v::list_of, none, none,
               cleanup_policies),
    broker_def("log.dir", t::string, "./eddy-data", false),
    broker_def("log.dirs", t::string, none, false),
    broker_def("log.flush.interval.messages", t::long_, long_max, true, v::range, 1),
    broker_def("log.flush.interval.ms", t::long_, none, true),
    broker_def("log.flush.scheduler.interval.ms", t::long_, long_max, false),
    broker_def("log.index.interval.bytes", t::int_, "4096", true, v::range, 0),
    broker_def("log.index.size.max.bytes", t::int_, "10485760", true, v::range, 4),
    broker_def("log.local.retention.bytes", t::long_, "-2", true, v::range, -2),
    broker_def("log.local.retention.ms", t::long_, "-2", true, v::range, -2),
    broker_def("log.message.downconversion.enable", t::boolean, "true", true),
    broker_def("log.message.format.version", t::string, "3.0-IV1", false, v::version),
    broker_def("log.message.timestamp.after.max.ms", t::long_, long_max, true, v::range, 0),
    broker_def("log.message.timestamp.before.max.ms", t::long_, long_max, true, v::range, 0),
    broker_def("log.message.timestamp.difference.max.ms", t::long_, long_max, true, v::range, 0),
    broker_def("log.message.timestamp.type", t::string, "CreateTime", true, v::one_of, none, none,
               timestamp_types),
    broker_def("log.preallocate", t::boolean, "false", true),
    broker_def("log.retention.bytes", t::long_, "-1", true),
    broker_def("log.retention.check.interval.ms", t::long_, "300000", false, v::range, 1),
    broker_def("log.retention.hours", t::int_, "168", false),
    broker_def("log.retention.minutes", t::int_, none, false),
    broker_def("log.retention.ms", t::long_, none, true),
    broker_def("log.roll.hours", t::int_, "168", false, v::range, 1),
    broker_def("log.roll.jitter.hours", t::int_, "0", false, v::range, 0),
    broker_def("log.roll.jitter.ms", t::long_, none, true),
    broker_def("log.roll.ms", t::long_, none, true),
    broker_def("log.segment.bytes", t::int_, "1073741824", true, v::range, 14),
    broker_def("log.segment.delete.delay.ms", t::long_, "60000", true, v::range, 0),
    broker_def("max.connections", t::int_, int_max, true, v::range, 0),
    broker_def("max.connections.per.ip", t::int_, int_max, true, v::range, 0),
    broker_def("max.connections.per.ip.overrides", t::string, "", true),
    broker_def("max.request.partition.size.limit", t::int_, "2000", false, v::range, 1),
    broker_def("message.max.bytes", t::int_, "1048588", true, v::range, 0),
    broker_def("metadata.log.dir", t::string, none, false),
    broker_def("min.insync.replicas", t::int_, "1", true, v::range, 1),
    broker_def("node.id", t::int_, eddy_node_id, false),
    broker_def("num.io.threads", t::int_, "8", true, v::range, 1),
    broker_def("num.network.threads", t::int_, eddy_network_threads(), true, v::range, 1),
    broker_def("num.partitions", t::int_, "1", false, v::range, 1),
    broker_def("num.recovery.threads.per.data.dir", t::int_, "1", true, v::range, 1),
    broker_def("num.replica.fetchers", t::int_, "1", true),
    broker_def("offsets.retention.minutes", t::int_, "10080", false, v::range, 1),
    broker_def("offsets.topic.num.partitions", t::int_, "50", false, v::range, 1),
    broker_def("offsets.topic.replication.factor", t::short_, "3", false, v::range, 1),
    broker_def("offsets.topic.segment.bytes", t::int_, "104857600", false, v::range, 1),
    broker_def("process.roles", t::list, "broker,controller", false),
    broker_def("producer.id.expiration.ms", t::int_, "86400000", true, v::range, 1),
    broker_def("replica.lag.time.max.ms", t::long_, "30000", false),
    broker_def("request.timeout.ms", t::int_, "30000", false),
    broker_def("sasl.jaas.config", t::password, none, false),
    // Kafka's default is 102400; Eddy's is -1 (the kernel's autotuned buffers), see
    // config/broker_config.h.
    broker_def("socket.receive.buffer.bytes", t::int_, "-1", false),
    broker_def("socket.request.max.bytes", t::int_, "104857600", false, v::range, 1),
    broker_def("socket.send.buffer.bytes", t::int_, "-1", false),
    broker_def("ssl.key.password", t::password, none, true),
    broker_def("ssl.keystore.password", t::password, none, true),
    broker_def("transaction.abort.timed.out.transaction.cleanup.interval.ms", t::int_, "10000",
               false, v::range, 1),
    broker_def("transaction.max.timeout.ms", t::int_, "900000", false, v::range, 1),
    broker_def("transaction.partition.verification.enable", t::boolean, "true", true),
    broker_def("transaction.remove.expired.transaction.cleanup.interval.ms", t::int_, "3600000",
               false, v::range, 1),
    broker_def("transaction.state.log.load.buffer.size", t::int_, "5242880", false, v::range, 1),
    broker_def("transaction.state.log.min.isr", t::int_, "2", false, v::range, 1),
    broker_def("transaction.state.log.num.partitions", t::int_, "50", false, v::range, 1),
    broker_def("transaction.state.log.replication.factor", t::short_, "3", false, v::range, 1),
    broker_def("transaction.state.log.segment.bytes", t::int_, "104857600", false, v::range, 1),
    broker_def("transactional.id.expiration.ms", t::int_, "604800000", false, v::range, 1),
    broker_def("unclean.leader.election.enable", t::boolean, "false", true),
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
