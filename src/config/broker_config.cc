// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "config/broker_config.h"

#include <charconv>
#include <functional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "common/ascii.h"
#include "common/logging.h"
#include "config/config_error.h"

namespace eddy::config {
namespace {

// Kafka's ConfigException wording: "Invalid value V for configuration K: why".
[[noreturn]] void invalid(const std::string& key, std::string_view value, const std::string& why) {
    throw config_error("Invalid value " + std::string(value) + " for configuration " + key + ": " +
                       why);
}

// A Kafka INT (`int_type` "INT") or LONG ("LONG") within [min, max], as ConfigDef.Range.
template <class T>
T parse_number(const std::string& key, std::string_view text, T min, T max, const char* type) {
    text = trim_blanks(text);
    T value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        invalid(key, text, std::string("Not a number of type ") + type);
    if (value < min) invalid(key, text, "Value must be at least " + std::to_string(min));
    if (value > max) invalid(key, text, "Value must be no more than " + std::to_string(max));
    return value;
}

int32_t parse_int(const std::string& key, std::string_view text, int32_t min, int32_t max) {
    return parse_number<int32_t>(key, text, min, max, "INT");
}

int64_t parse_long(const std::string& key, std::string_view text, int64_t min) {
    return parse_number<int64_t>(key, text, min, INT64_MAX, "LONG");
}

std::vector<std::string> parse_list(std::string_view text) {
    std::vector<std::string> out;
    while (true) {
        size_t comma = text.find(',');
        std::string_view item = trim_blanks(text.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    return out;
}

// Security protocols that need TLS or SASL, which this broker does not speak yet.
bool needs_security(const std::string& name) {
    return name == "SSL" || name == "SASL_SSL" || name == "SASL_PLAINTEXT";
}

std::vector<listener> checked_listeners(const std::string& key, const std::string& value) {
    std::vector<listener> ls;
    try {
        ls = parse_listeners(value);
    } catch (const config_error& e) {
        throw config_error(key + ": " + e.what());
    }
    for (const listener& l : ls) {
        if (needs_security(l.name))
            throw config_error(key + ": listener " + l.name + " needs TLS/SASL, not supported yet");
    }
    return ls;
}

using setter = std::function<void(broker_config&, const std::string& key, const std::string&)>;

const std::unordered_map<std::string, setter>& setters() {
    static const std::unordered_map<std::string, setter> table = {
        {"node.id", [](broker_config& c, const std::string& k, const std::string& v) {
             c.node_id = parse_int(k, v, 0, INT32_MAX);
         }},
        {"process.roles", [](broker_config& c, const std::string& k, const std::string& v) {
             c.process_roles = parse_list(v);
             for (const std::string& role : c.process_roles) {
                 if (role != "broker" && role != "controller")
                     throw config_error(k + ": unknown role '" + role + "'");
             }
             if (c.process_roles.empty()) throw config_error(k + ": needs at least one role");
             const std::set<std::string> distinct(c.process_roles.begin(), c.process_roles.end());
             if (distinct.size() != c.process_roles.size())
                 throw config_error("Duplicate role names found in `" + k + "`: " + v);
             // A node of one role works with nodes of the other (a broker fetches its
             // metadata from a controller quorum elsewhere; a controller serves no
             // clients). Eddy runs only the combined node so far, so a single role would
             // silently be both: refused instead.
             if (distinct.size() != 2)
                 throw config_error(k + "=" + v + ": a node of only the '" + *distinct.begin() +
                                    "' role needs a separate " +
                                    (distinct.count("broker") ? "controller quorum" : "set of brokers") +
                                    ", which Eddy does not support yet; use process.roles=broker,controller");
         }},
        {"listeners", [](broker_config& c, const std::string& k, const std::string& v) {
             c.listeners = checked_listeners(k, v);
             if (c.listeners.empty()) throw config_error(k + ": needs at least one listener");
         }},
        {"advertised.listeners", [](broker_config& c, const std::string& k, const std::string& v) {
             c.advertised_listeners = checked_listeners(k, v);
         }},
        // log.dirs wins over log.dir (as in Kafka); see config_from_properties.
        {"log.dirs", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_dirs = parse_list(v);
             if (c.log_dirs.empty()) throw config_error(k + ": needs at least one directory");
         }},
        {"log.dir", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_dirs = parse_list(v);
             if (c.log_dirs.empty()) throw config_error(k + ": needs a directory");
         }},
        {"num.partitions", [](broker_config& c, const std::string& k, const std::string& v) {
             c.num_partitions = parse_int(k, v, 1, INT32_MAX);
         }},
        {"max.request.partition.size.limit", [](broker_config& c, const std::string& k, const std::string& v) {
             c.max_request_partition_size_limit = parse_int(k, v, 1, INT32_MAX);
         }},
        {"fetch.max.bytes", [](broker_config& c, const std::string& k, const std::string& v) {
             c.fetch_max_bytes = parse_int(k, v, 1024, INT32_MAX);
         }},
        {"num.network.threads", [](broker_config& c, const std::string& k, const std::string& v) {
             c.num_network_threads = parse_int(k, v, 1, 1024);
         }},
        {"num.io.threads", [](broker_config& c, const std::string& k, const std::string& v) {
             c.num_io_threads = parse_int(k, v, 1, 1024);
         }},
        // The replica manager's schedule (Kafka's LogManager tasks).
        {"log.retention.check.interval.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_retention_check_interval_ms = parse_long(k, v, 1);
         }},
        // The log cleaner (compacted topics).
        {"log.cleaner.enable", [](broker_config& c, const std::string& k, const std::string& v) {
             std::string text(trim_blanks(v));
             if (text != "true" && text != "false") throw config_error(k + ": '" + text + "' is not a BOOLEAN");
             c.log_cleaner_enable = text == "true";
         }},
        {"log.cleaner.backoff.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_cleaner_backoff_ms = parse_long(k, v, 0);
         }},
        {"log.cleaner.dedupe.buffer.size", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_cleaner_dedupe_buffer_size = parse_long(k, v, INT64_MIN);
         }},
        {"log.flush.scheduler.interval.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_flush_scheduler_interval_ms = parse_long(k, v, INT64_MIN);
         }},
        {"log.flush.offset.checkpoint.interval.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_flush_offset_checkpoint_interval_ms = parse_int(k, v, 0, INT32_MAX);
         }},
        {"log.flush.start.offset.checkpoint.interval.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_flush_start_offset_checkpoint_interval_ms = parse_int(k, v, 0, INT32_MAX);
         }},
        {"log.initial.task.delay.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.log_initial_task_delay_ms = parse_long(k, v, 0);
         }},
        {"producer.id.expiration.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.producer_id_expiration_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        {"producer.id.expiration.check.interval.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.producer_id_expiration_check_interval_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        // The transaction coordinator: every one an INT at least 1 in Kafka, the
        // replication factor a SHORT.
        {"transaction.max.timeout.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_max_timeout_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transactional.id.expiration.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transactional_id_expiration_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.abort.timed.out.transaction.cleanup.interval.ms",
         [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_abort_timed_out_transaction_cleanup_interval_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.remove.expired.transaction.cleanup.interval.ms",
         [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_remove_expired_transaction_cleanup_interval_ms = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.state.log.num.partitions", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_state_log_num_partitions = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.state.log.replication.factor", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_state_log_replication_factor = static_cast<int16_t>(parse_number<int16_t>(k, v, 1, INT16_MAX, "SHORT"));
         }},
        {"transaction.state.log.min.isr", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_state_log_min_isr = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.state.log.segment.bytes", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_state_log_segment_bytes = parse_int(k, v, 1, INT32_MAX);
         }},
        {"transaction.state.log.load.buffer.size", [](broker_config& c, const std::string& k, const std::string& v) {
             c.transaction_state_log_load_buffer_size = parse_int(k, v, 1, INT32_MAX);
         }},
        {"socket.request.max.bytes", [](broker_config& c, const std::string& k, const std::string& v) {
             c.socket_request_max_bytes = parse_int(k, v, 1, INT32_MAX);
         }},
        {"connections.max.idle.ms", [](broker_config& c, const std::string& k, const std::string& v) {
             c.connections_max_idle_ms = parse_long(k, v, INT64_MIN);  // Kafka: a LONG, any value
         }},
        {"socket.send.buffer.bytes", [](broker_config& c, const std::string& k, const std::string& v) {
             c.socket_send_buffer_bytes = parse_int(k, v, INT32_MIN, INT32_MAX);
         }},
        {"socket.receive.buffer.bytes", [](broker_config& c, const std::string& k, const std::string& v) {
             c.socket_receive_buffer_bytes = parse_int(k, v, INT32_MIN, INT32_MAX);
         }},
        {"max.connections", [](broker_config& c, const std::string& k, const std::string& v) {
             c.max_connections = parse_int(k, v, 0, INT32_MAX);
         }},
        {"max.connections.per.ip", [](broker_config& c, const std::string& k, const std::string& v) {
             c.max_connections_per_ip = parse_int(k, v, 0, INT32_MAX);
         }},
        {"max.connections.per.ip.overrides", [](broker_config& c, const std::string&, const std::string& v) {
             c.max_connections_per_ip_overrides = std::string(trim_blanks(v));
         }},
        {"eddy.log.level", [](broker_config& c, const std::string& k, const std::string& v) {
             spdlog::level::level_enum level;
             std::string text(trim_blanks(v));
             if (!parse_log_level(text, level))
                 throw config_error(k + ": '" + text + "' is not one of trace, debug, info, warn, error, critical, off");
             c.log_level = text;
         }},
        {"eddy.produce.batch.validation", [](broker_config& c, const std::string& k, const std::string& v) {
             std::string text(trim_blanks(v));
             if (text != "strict" && text != "relaxed")
                 throw config_error(k + ": '" + text + "' is not one of strict, relaxed");
             c.produce_batch_validation_strict = text == "strict";
         }},
        {"cluster.id", [](broker_config& c, const std::string& k, const std::string& v) {
             std::string id(trim_blanks(v));
             if (id.empty()) throw config_error(k + ": must not be empty");
             c.cluster_id = id;
         }},
    };
    return table;
}

}  // namespace

broker_config config_from_properties(const properties& props) {
    broker_config c;
    const auto& table = setters();
    for (const auto& [key, value] : props) {
        if (key == "log.dir" && props.count("log.dirs")) continue;
        auto it = table.find(key);
        if (it == table.end()) {
            // Not a start-up setting: the controller, the replica manager and the group
            // coordinator read their own keys (topic-config defaults, group.*, offsets.*,
            // metadata.log.*) from the same properties, so "unknown here" is not an error.
            get_logger("config")->debug("'{}' is not a start-up setting; left to the component reading it", key);
            continue;
        }
        it->second(c, key, value);
    }
    // KafkaConfig's check of the two ids (equal once populateSynonyms has run).
    if (auto b = props.find("broker.id"); b != props.end()) {
        auto n = props.find("node.id");
        if (n == props.end() || parse_int(b->first, b->second, INT32_MIN, INT32_MAX) != c.node_id)
            throw config_error("You must set `node.id` to the same value as `broker.id`.");
    }
    // Kafka's KafkaConfig check: no address could connect at all.
    if (c.max_connections_per_ip == 0 && c.max_connections_per_ip_overrides.empty())
        throw config_error(
            "max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.");
    // Every advertised listener must name a listener the broker actually opens.
    std::set<std::string> names;
    for (const listener& l : c.listeners) names.insert(l.name);
    for (const listener& l : c.advertised_listeners) {
        if (!names.count(l.name))
            throw config_error("advertised.listeners: " + l.name + " is not in listeners");
        if (l.host == "0.0.0.0" || l.host == "::")
            throw config_error("advertised.listeners: " + l.to_string() + " is not routable");
    }
    return c;
}

command_line parse_command_line(int argc, const char* const* argv) {
    command_line cmd;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            cmd.help = true;
        } else if (arg == "--override") {
            if (i + 1 >= argc) throw config_error("--override needs key=value");
            std::string_view kv = argv[++i];
            size_t eq = kv.find('=');
            if (eq == std::string_view::npos || eq == 0)
                throw config_error("--override expects key=value, got '" + std::string(kv) + "'");
            cmd.overrides[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
        } else if (!arg.empty() && arg.front() == '-') {
            throw config_error("unknown option " + std::string(arg));
        } else if (cmd.config_path) {
            throw config_error("only one config file may be given");
        } else {
            cmd.config_path = std::string(arg);
        }
    }
    return cmd;
}

properties load_properties(const command_line& cmd) {
    properties props;
    if (cmd.config_path) props = load_properties_file(*cmd.config_path);
    for (const auto& [key, value] : cmd.overrides) props[key] = value;
    const bool has_broker_id = props.count("broker.id") > 0;
    const bool has_node_id = props.count("node.id") > 0;
    if (has_node_id && !has_broker_id) props["broker.id"] = props.at("node.id");
    if (has_broker_id && !has_node_id) props["node.id"] = props.at("broker.id");
    return props;
}

broker_config load_config(const command_line& cmd) { return config_from_properties(load_properties(cmd)); }

}  // namespace eddy::config
