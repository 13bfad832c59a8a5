// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// IncrementalAlterConfigs and AlterConfigs for topic and broker resources: Kafka 3.9's
// ConfigAdminManager (broker-side checks) and ConfigurationControlManager (controller).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "common/parse_int.h"
#include "controller/config_defs.h"
#include "controller/config_validation.h"
#include "controller/controller.h"
#include "controller/effective_config.h"
#include "controller/limits.h"
#include "controller/topic_names.h"

namespace eddy::controller {

namespace {

using metadata::config_map;
using metadata::resource_type;

// One requested change of one config, whichever API carried it.
struct config_change {
    std::string name;
    alter_op op = alter_op::set;
    std::optional<std::string> value;
};

std::string scala_set(const std::vector<std::string>& names) {
    std::string out = "Set(";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + ")";
}

// SslConfigs.RECONFIGURABLE_CONFIGS: dynamic only per listener, as
// listener.name.<listener>.<name>.
constexpr std::array<std::string_view, 10> listener_security_configs{
    "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
    "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password",
    "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.truststore.certificates"};

bool is_listener_security_config(std::string_view name) {
    return std::find(listener_security_configs.begin(), listener_security_configs.end(), name) !=
           listener_security_configs.end();
}

// Broker configs that only a specific broker may set (DynamicBrokerConfig.PerBrokerConfigs):
// the listener configs and, per listener, all but the three that are cluster-wide.
bool per_broker_only(std::string_view name) {
    if (name == "listeners" || name == "advertised.listeners" ||
        name == "listener.security.protocol.map" || is_listener_security_config(name))
        return true;
    constexpr std::string_view prefix = "listener.name.";
    if (name.rfind(prefix, 0) != 0) return false;
    const size_t dot = name.find('.', prefix.size());
    if (dot == std::string_view::npos) return false;
    const std::string_view base = name.substr(dot + 1);
    return base != "max.connections" && base != "max.connection.creation.rate" &&
           base != "num.network.threads";
}

// ConfigAdminManager.validateResourceNameIsCurrentNodeId.
api_error check_node_name(std::string_view name, int32_t node_id) {
    int32_t id = 0;
    if (!parse_int(name, id)) {
        return fail(error_code::invalid_request,
                    fmt::format("Node id must be an integer, but it is: {}", name));
    }
    if (id != node_id) {
        return fail(error_code::invalid_request,
                    fmt::format("Unexpected broker id, expected {}, but received {}", node_id, name));
    }
    return {};
}

// Kafka's DynamicThreadPool and SocketServer checks: a thread count changes by at most
// half down or double up at a time, and stays at least 1. `now` and `next` are this
// broker's layers before and after the change. Kafka wraps the ConfigException twice,
// hence the message's shape.
api_error check_thread_counts(const broker_layers& now, const broker_layers& next) {
    static constexpr std::array<std::string_view, 5> counts{
        "background.threads", "num.io.threads", "num.network.threads",
        "num.recovery.threads.per.data.dir", "num.replica.fetchers"};
    for (std::string_view name : counts) {
        // Each has a default, so the fallback is never used.
        const int64_t before = broker_number(name, now, 1);
        const int64_t after = broker_number(name, next, 1);
        if (after == before) continue;
        std::string why;
        if (after <= 0) why = "value should be at least 1";
        else if (after < before / 2) why = fmt::format("value should be at least half the current value {}", before);
        else if (after > before * 2) why = fmt::format("value should not be greater than double the current value {}", before);
        else continue;
        return fail(error_code::invalid_request,
                    fmt::format("Invalid value org.apache.kafka.common.config.ConfigException: Dynamic "
                                "thread count update validation failed for {}={}, {} for configuration "
                                "Invalid dynamic configuration",
                                name, after, why));
    }
    return {};
}

// DynamicBrokerConfig.checkInvalidProps: the names in `configs` that `bad` picks, refused
// together.
template <class Bad>
api_error refuse_names(const config_map& configs, Bad bad, std::string_view message) {
    std::vector<std::string> names;
    for (const auto& [name, value] : configs) {
        if (bad(name)) names.push_back(name);
    }
    if (names.empty()) return {};
    return fail(error_code::invalid_request, std::string(message) + ": " + scala_set(names));
}

// DynamicBrokerConfig.validateConfigs over the resulting dynamic configs of a broker
// resource, then the thread counts' steps (`layers`: this broker's before the change).
// Kafka turns these ConfigExceptions into INVALID_REQUEST (KAFKA-13609).
api_error validate_broker_configs(const config_map& configs, bool per_broker, const broker_layers& layers) {
    auto not_dynamic = [](const std::string& name) {
        const config_def* def = find_broker_config(name);
        return def != nullptr && !def->dynamic;
    };
    if (api_error e = refuse_names(configs, not_dynamic, "Cannot update these configs dynamically"); e.failed())
        return e;
    if (api_error e = refuse_names(configs, is_listener_security_config,
                                   "These security configs can be dynamically updated only "
                                   "per-listener using the listener prefix");
        e.failed())
        return e;
    for (const auto& [name, value] : configs) {
        if (const config_def* def = find_broker_config(name)) {
            parsed_value p = parse_config_value(*def, value);
            if (!p.value) return fail(error_code::invalid_request, p.error);
        }
    }
    if (!per_broker) {
        if (api_error e = refuse_names(configs, per_broker_only,
                                       "Cannot update these configs at default cluster level, "
                                       "broker id must be specified");
            e.failed())
            return e;
    }
    const broker_layers next = per_broker ? broker_layers{configs, layers.dynamic_default, layers.static_configs}
                                          : broker_layers{layers.dynamic_node, configs, layers.static_configs};
    return check_thread_counts(layers, next);
}

// Validates one resource's changes and appends the ConfigRecords that make them.
// `replace_all` is the legacy AlterConfigs: keys not named are deleted.
api_error alter_resource(const metadata::metadata_image& image, const controller_options& options,
                         resource_type type, const std::string& name,
                         const std::vector<config_change>& changes, bool replace_all,
                         std::vector<metadata::versioned_record>& records) {
    std::set<std::string, std::less<>> keys;
    std::vector<std::string> nulls;
    for (const auto& c : changes) {
        if (!keys.insert(c.name).second) {
            return fail(error_code::invalid_request, "Error due to duplicate config keys");
        }
        if (c.op != alter_op::del && !c.value) nulls.push_back(c.name);
    }
    if (!nulls.empty()) {
        std::string list;
        for (size_t i = 0; i < nulls.size(); ++i) list += (i ? ", " : "") + nulls[i];
        return fail(error_code::invalid_request, "Null value not supported for : " + list);
    }
    if (type != resource_type::topic && type != resource_type::broker) {
        return fail(error_code::invalid_request,
                    fmt::format("Unknown resource type {}", static_cast<int>(type)));
    }
    for (const auto& c : changes) {
        if (c.op < alter_op::set || c.op > alter_op::subtract) {
            return fail(error_code::invalid_request,
                        fmt::format("Unknown operations type {}", static_cast<int>(c.op)));
        }
    }
    if (type == resource_type::broker && !name.empty()) {
        if (api_error e = check_node_name(name, options.node_id); e.failed()) return e;
    }
    const config_map& current = image.configs(type, name);
    config_map next = replace_all ? config_map{} : current;
    for (const auto& c : changes) {
        const config_def* def =
            type == resource_type::topic ? find_topic_config(c.name) : find_broker_config(c.name);
        const bool list_op = c.op == alter_op::append || c.op == alter_op::subtract;
        // A broker config name Kafka does not know is kept (a custom config, described as
        // sensitive) when set or deleted; only a list edit needs its definition.
        if (type == resource_type::broker && def == nullptr && list_op) {
            return fail(error_code::invalid_config, "Unknown config name: " + c.name);
        }
        const bool is_list = def != nullptr && def->type == config_type::list;
        if (type == resource_type::broker && !is_list && list_op) {
            return fail(error_code::invalid_config,
                        fmt::format("Config value {} is not allowed for config key: {}",
                                    c.op == alter_op::append ? "append" : "subtract", c.name));
        }
        api_error e = apply_alter_op(next, c.name, c.op, c.value, is_list,
                                     def ? def->default_value : std::nullopt);
        if (e.failed()) return e;
    }
    if (type == resource_type::broker) {
        const broker_layers layers = broker_layers::of(image, options.node_id, options.static_configs);
        if (api_error e = validate_broker_configs(next, !name.empty(), layers); e.failed()) return e;
    } else {
        if (name.empty()) {
            return fail(error_code::invalid_request, "Default topic resources are not allowed.");
        }
        if (auto bad = topic_name_error(name)) return fail(error_code::invalid_topic_exception, *bad);
        const broker_layers broker = broker_layers::of(image, options.node_id, options.static_configs);
        if (api_error e = validate_topic_configs(next, broker); e.failed()) return e;
        if (image.topic(name) == nullptr) {
            return fail(error_code::unknown_topic_or_partition,
                        fmt::format("The topic '{}' does not exist.", name));
        }
    }
    // One ConfigRecord per changed key; broker configs are written even when unchanged
    // so that every broker reloads them (KAFKA-14136).
    auto emit = [&](const std::string& key, std::optional<std::string> value) {
        msg::config_record rec;
        rec.resource_type = static_cast<int8_t>(type);
        rec.resource_name = name;
        rec.name = key;
        rec.value = std::move(value);
        records.push_back(metadata::make_record(std::move(rec)));
    };
    for (const auto& c : changes) {
        auto before = current.find(c.name);
        auto after = next.find(c.name);
        std::optional<std::string> old_value, new_value;
        if (before != current.end()) old_value = before->second;
        if (after != next.end()) new_value = after->second;
        if (old_value != new_value || type == resource_type::broker) emit(c.name, new_value);
    }
    if (replace_all) {
        for (const auto& [key, value] : current) {
            if (keys.count(key) == 0) emit(key, std::nullopt);
        }
    }
    return {};
}

template <class Request, class Response, class ToChanges>
controller_result<Response> alter(const Request& request, const metadata::metadata_image& image,
                                  const controller_options& options, bool replace_all,
                                  ToChanges to_changes) {
    controller_result<Response> out;
    std::map<std::pair<int8_t, std::string>, int> seen;
    for (const auto& r : request.resources) ++seen[{r.resource_type, r.resource_name}];
    std::vector<metadata::versioned_record> records;
    for (const auto& r : request.resources) {
        api_error e;
        if (seen[{r.resource_type, r.resource_name}] > 1) {
            e = fail(error_code::invalid_request, "Each resource must appear at most once.");
        } else {
            std::vector<metadata::versioned_record> mine;
            e = alter_resource(image, options, static_cast<resource_type>(r.resource_type),
                               r.resource_name,
                               to_changes(r), replace_all, mine);
            if (!e.failed()) records.insert(records.end(), mine.begin(), mine.end());
        }
        typename decltype(out.response.responses)::value_type result;
        result.error_code = e.code_value();
        result.error_message = e.message;
        result.resource_type = r.resource_type;
        result.resource_name = r.resource_name;
        out.response.responses.push_back(std::move(result));
    }
    if (records.size() > max_records_per_operation) {
        for (auto& result : out.response.responses) {
            result.error_code = wire_code(error_code::policy_violation);
            result.error_message = std::string(excessive_batch_message);
        }
        return out;
    }
    if (!request.validate_only) out.records = std::move(records);
    return out;
}

}  // namespace

controller_result<msg::incremental_alter_configs_response> controller::incremental_alter_configs(
    const msg::incremental_alter_configs_request& request, int16_t version, int64_t now_ms) const {
    (void)version;
    (void)now_ms;
    using request_t = msg::incremental_alter_configs_request;
    return alter<request_t, msg::incremental_alter_configs_response>(
        request, *image_, options_, false, [](const request_t::alter_configs_resource& r) {
            std::vector<config_change> changes;
            for (const auto& c : r.configs) {
                changes.push_back({c.name, static_cast<alter_op>(c.config_operation), c.value});
            }
            return changes;
        });
}

controller_result<msg::alter_configs_response> controller::alter_configs(
    const msg::alter_configs_request& request, int16_t version, int64_t now_ms) const {
    (void)version;
    (void)now_ms;
    using request_t = msg::alter_configs_request;
    return alter<request_t, msg::alter_configs_response>(
        request, *image_, options_, true, [](const request_t::alter_configs_resource& r) {
            std::vector<config_change> changes;
            for (const auto& c : r.configs) changes.push_back({c.name, alter_op::set, c.value});
            return changes;
        });
}

}  // namespace eddy::controller
