// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// IncrementalAlterConfigs and AlterConfigs for topic and broker resources: Kafka 3.9's
// ConfigAdminManager (broker-side checks) and ConfigurationControlManager (controller).
#include <fmt/format.h>

#include <charconv>
#include <map>
#include <set>

#include "controller/config_defs.h"
#include "controller/config_validation.h"
#include "controller/controller.h"
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

// Broker configs that only a specific broker may set (DynamicBrokerConfig.PerBrokerConfigs).
bool per_broker_only(std::string_view name) {
    return name == "listeners" || name == "advertised.listeners" ||
           name == "listener.security.protocol.map" || name.rfind("ssl.", 0) == 0;
}

// ConfigAdminManager.validateResourceNameIsCurrentNodeId.
api_error check_node_name(std::string_view name, int32_t node_id) {
    int32_t id = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (ec != std::errc() || end != name.data() + name.size()) {
        return fail(error_code::invalid_request,
                    fmt::format("Node id must be an integer, but it is: {}", name));
    }
    if (id != node_id) {
        return fail(error_code::invalid_request,
                    fmt::format("Unexpected broker id, expected {}, but received {}", node_id, name));
    }
    return {};
}

// DynamicBrokerConfig.validateConfigs over the resulting dynamic configs of a broker
// resource. Kafka turns these ConfigExceptions into INVALID_REQUEST (KAFKA-13609).
api_error validate_broker_configs(const config_map& configs, bool per_broker) {
    std::vector<std::string> not_dynamic;
    for (const auto& [name, value] : configs) {
        const config_def* def = find_broker_config(name);
        if (def != nullptr && !def->dynamic) not_dynamic.push_back(name);
    }
    if (!not_dynamic.empty()) {
        return fail(error_code::invalid_request,
                    "Cannot update these configs dynamically: " + scala_set(not_dynamic));
    }
    for (const auto& [name, value] : configs) {
        if (const config_def* def = find_broker_config(name)) {
            parsed_value p = parse_config_value(*def, value);
            if (!p.value) return fail(error_code::invalid_request, p.error);
        }
    }
    if (!per_broker) {
        std::vector<std::string> only_per_broker;
        for (const auto& [name, value] : configs) {
            if (per_broker_only(name)) only_per_broker.push_back(name);
        }
        if (!only_per_broker.empty()) {
            return fail(error_code::invalid_request,
                        "Cannot update these configs at default cluster level, broker id must be "
                        "specified: " +
                        scala_set(only_per_broker));
        }
    }
    return {};
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
        if (api_error e = validate_broker_configs(next, !name.empty()); e.failed()) return e;
    } else {
        if (name.empty()) {
            return fail(error_code::invalid_request, "Default topic resources are not allowed.");
        }
        if (auto bad = topic_name_error(name)) return fail(error_code::invalid_topic_exception, *bad);
        // Only a change that brings compact in is refused: a topic made compacted (the
        // internal ones, at creation) still takes its other changes.
        const bool keeps_compact = has_compact_policy(current);
        const broker_layers broker = broker_layers::of(image, options.node_id, options.static_configs);
        if (api_error e = validate_topic_configs(next, broker, options.compaction_supported || keeps_compact);
            e.failed())
            return e;
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
