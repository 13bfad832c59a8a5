// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeConfigs v0-4 for topics and this broker, as Kafka 3.9's ConfigHelper answers it.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/parse_int.h"
#include "controller/config_defs.h"
#include "controller/controller.h"
#include "controller/effective_config.h"
#include "controller/topic_names.h"

namespace eddy::controller {

namespace {

using response_t = msg::describe_configs_response;
using metadata::resource_type;

bool wanted(const msg::describe_configs_request::describe_configs_resource& r,
            std::string_view name) {
    if (!r.configuration_keys || r.configuration_keys->empty()) return true;
    return std::find(r.configuration_keys->begin(), r.configuration_keys->end(), name) !=
           r.configuration_keys->end();
}

response_t::describe_configs_resource_result entry(const resolved_config& c,
                                                   const msg::describe_configs_request& request) {
    response_t::describe_configs_resource_result e;
    e.name = c.name;
    e.value = c.sensitive ? std::nullopt : c.value;
    e.read_only = c.read_only;
    // v0 has IsDefault instead of ConfigSource; Kafka 3.9 leaves it false, we say what it
    // means so that v0 clients see which values are defaults.
    e.is_default = c.source == config_source::default_config;
    e.config_source = static_cast<int8_t>(c.source);
    e.is_sensitive = c.sensitive;
    if (request.include_synonyms) {
        for (const auto& s : c.synonyms) {
            response_t::describe_configs_synonym syn;
            syn.name = s.name;
            syn.value = s.value;
            syn.source = static_cast<int8_t>(s.source);
            e.synonyms.push_back(std::move(syn));
        }
    }
    e.config_type = static_cast<int8_t>(c.type);
    // Eddy does not carry Kafka's documentation text: an empty string when asked for.
    e.documentation = request.include_documentation ? std::optional<std::string>("") : std::nullopt;
    return e;
}

response_t::describe_configs_result error_result(error_code code,
                                                 std::optional<std::string> message) {
    response_t::describe_configs_result r;
    r.error_code = wire_code(code);
    r.error_message = std::move(message);
    return r;
}

}  // namespace

msg::describe_configs_response controller::describe_configs(
    const msg::describe_configs_request& request, int16_t version) const {
    (void)version;
    msg::describe_configs_response out;
    const metadata::metadata_image& image = *image_;
    const broker_layers layers = broker_layers::of(image, options_.node_id, options_.static_configs);
    for (const auto& r : request.resources) {
        response_t::describe_configs_result result;
        const auto type = static_cast<resource_type>(r.resource_type);
        if (type == resource_type::topic) {
            if (auto bad = topic_name_error(r.resource_name)) {
                result = error_result(error_code::invalid_topic_exception, *bad);
            } else if (image.topic(r.resource_name) == nullptr) {
                result = error_result(error_code::unknown_topic_or_partition, std::string{});
            } else {
                const metadata::config_map& overrides = image.configs(type, r.resource_name);
                for (const config_def& def : topic_config_defs()) {
                    if (!wanted(r, def.name)) continue;
                    result.configs.push_back(
                        entry(resolve_topic_config(def, overrides, layers), request));
                }
            }
        } else if (type == resource_type::broker) {
            int32_t id = 0;
            const auto& name = r.resource_name;
            const bool numeric = parse_int(name, id);
            if (name.empty()) {
                // The cluster-default resource: only what was set dynamically for all brokers.
                for (const auto& [key, value] : layers.dynamic_default) {
                    if (!wanted(r, key)) continue;
                    result.configs.push_back(entry(resolve_broker_config(key, layers, false), request));
                }
            } else if (!numeric) {
                result = error_result(error_code::invalid_request,
                                      fmt::format("Broker id must be an integer, but it is: {}", name));
            } else if (id != options_.node_id) {
                result = error_result(error_code::invalid_request,
                                      fmt::format("Unexpected broker id, expected {} or empty "
                                                  "string, but received {}",
                                                  options_.node_id, name));
            } else {
                std::set<std::string, std::less<>> names;
                for (const config_def& def : broker_config_defs()) names.emplace(def.name);
                for (const auto& [key, value] : layers.static_configs) names.insert(key);
                for (const auto& [key, value] : layers.dynamic_default) names.insert(key);
                for (const auto& [key, value] : layers.dynamic_node) names.insert(key);
                for (const auto& key : names) {
                    if (!wanted(r, key)) continue;
                    result.configs.push_back(entry(resolve_broker_config(key, layers, true), request));
                }
            }
        } else {
            result = error_result(error_code::invalid_request,
                                  fmt::format("Unsupported resource type: {}",
                                              static_cast<int>(r.resource_type)));
        }
        result.resource_type = r.resource_type;
        result.resource_name = r.resource_name;
        out.results.push_back(std::move(result));
    }
    return out;
}

}  // namespace eddy::controller
