// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "controller/effective_config.h"

#include <algorithm>
#include <charconv>

namespace eddy::controller {

namespace {

const std::string* find(const std::map<std::string, std::string, std::less<>>& m,
                        std::string_view key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
}

// The value Kafka's merged broker config holds for `name` (dynamic node over dynamic
// cluster default over static), without defaults.
const std::string* layered(std::string_view name, const broker_layers& b) {
    if (const std::string* v = find(b.dynamic_node, name)) return v;
    if (const std::string* v = find(b.dynamic_default, name)) return v;
    return find(b.static_configs, name);
}

std::string normalized(const config_def* def, const std::string& raw) {
    if (def == nullptr) return raw;
    parsed_value p = parse_config_value(*def, raw);
    return p.value ? *p.value : raw;
}

// Every layer's value of every name, layer by layer (dynamic node, dynamic cluster
// default, static, then the defaults), each name in its synonym order.
std::vector<config_synonym_value> layered_synonyms(const std::vector<std::string_view>& names,
                                                   const broker_layers& b, bool sensitive) {
    std::vector<config_synonym_value> all;
    auto add_layer = [&](const std::map<std::string, std::string, std::less<>>& layer,
                         config_source source) {
        for (std::string_view n : names) {
            if (const std::string* v = find(layer, n)) {
                all.push_back({std::string(n), sensitive ? std::nullopt : std::optional(*v), source});
            }
        }
    };
    add_layer(b.dynamic_node, config_source::dynamic_broker);
    add_layer(b.dynamic_default, config_source::dynamic_default_broker);
    add_layer(b.static_configs, config_source::static_broker);
    for (std::string_view n : names) {
        const config_def* d = find_broker_config(n);
        if (d != nullptr && d->default_value) {
            all.push_back({std::string(n),
                           sensitive ? std::nullopt : std::optional(std::string(*d->default_value)),
                           config_source::default_config});
        }
    }
    return all;
}

std::vector<std::string_view> synonym_names(const config_def& def) {
    std::vector<std::string_view> names;
    for (const config_synonym& s : def.synonyms) names.push_back(s.name);
    return names;
}

// ConfigHelper.configSynonyms: layered_synonyms with everything before the first entry for
// `primary` dropped.
std::vector<config_synonym_value> synonym_chain(std::string_view primary,
                                                const std::vector<std::string_view>& names,
                                                const broker_layers& b, bool sensitive) {
    std::vector<config_synonym_value> all = layered_synonyms(names, b, sensitive);
    auto first = std::find_if(all.begin(), all.end(),
                              [&](const config_synonym_value& s) { return s.name == primary; });
    return {first, all.end()};
}

}  // namespace

broker_layers broker_layers::of(const metadata::metadata_image& image, int32_t node_id,
                                const std::map<std::string, std::string, std::less<>>& statics) {
    return broker_layers{image.configs(metadata::resource_type::broker, std::to_string(node_id)),
                         image.configs(metadata::resource_type::broker, ""), statics};
}

namespace {

// The topic value its broker synonyms give (KafkaConfig's typed getters: the first
// synonym set in any layer wins, converted to the topic's unit), or the topic default.
std::optional<std::string> topic_value_from_broker(const config_def& def, const broker_layers& b) {
    for (const config_synonym& s : def.synonyms) {
        if (const std::string* v = layered(s.name, b)) {
            return normalized(&def, convert_synonym_value(*v, s.conversion));
        }
    }
    if (def.default_value) return std::string(*def.default_value);
    return std::nullopt;
}

}  // namespace

resolved_config resolve_topic_config(const config_def& def, const metadata::config_map& overrides,
                                     const broker_layers& broker) {
    resolved_config out;
    out.name = std::string(def.name);
    out.type = def.type;
    out.sensitive = def.type == config_type::password;
    out.read_only = false;
    if (!def.synonyms.empty()) {
        out.synonyms = synonym_chain(def.synonyms.front().name, synonym_names(def), broker, out.sensitive);
    }
    auto it = overrides.find(def.name);
    if (it != overrides.end()) {
        out.value = normalized(&def, it->second);
        out.synonyms.insert(out.synonyms.begin(),
                            {out.name, out.sensitive ? std::nullopt : out.value,
                             config_source::dynamic_topic});
    } else {
        out.value = topic_value_from_broker(def, broker);
    }
    if (out.sensitive) out.value.reset();
    out.source = out.synonyms.empty() ? config_source::default_config : out.synonyms.front().source;
    return out;
}

config_source topic_config_source_at_creation(const config_def& def,
                                              const metadata::config_map& overrides,
                                              const broker_layers& broker) {
    if (overrides.count(def.name) != 0) return config_source::dynamic_topic;
    // The first synonym any layer sets, with nothing dropped (unlike synonym_chain); only
    // the sources are read, so the values are left out as for a secret.
    std::vector<config_synonym_value> all = layered_synonyms(synonym_names(def), broker, true);
    return all.empty() ? config_source::default_config : all.front().source;
}

resolved_config resolve_broker_config(std::string_view name, const broker_layers& broker,
                                      bool per_broker) {
    const config_def* def = find_broker_config(name);
    resolved_config out;
    out.name = std::string(name);
    out.type = def ? def->type : config_type::unknown;
    // KafkaConfig.maybeSensitive: a config whose type is unknown is treated as a secret.
    out.sensitive = def == nullptr || def->type == config_type::password;
    out.read_only = def == nullptr || !def->dynamic;
    std::vector<config_synonym_value> chain =
        synonym_chain(name, broker_config_synonyms(name), broker, out.sensitive);
    for (auto& s : chain) {
        if (per_broker || s.source == config_source::dynamic_default_broker) {
            out.synonyms.push_back(std::move(s));
        }
    }
    out.source = out.synonyms.empty() ? config_source::default_config : out.synonyms.front().source;
    if (!out.sensitive) {
        if (per_broker) {
            out.value = broker_value(name, broker);
        } else if (const std::string* v = find(broker.dynamic_default, name)) {
            out.value = *v;
        }
    }
    return out;
}

std::optional<std::string> broker_value(std::string_view name, const broker_layers& broker) {
    const config_def* def = find_broker_config(name);
    if (const std::string* v = layered(name, broker)) return normalized(def, *v);
    if (def != nullptr && def->default_value) return std::string(*def->default_value);
    return std::nullopt;
}

int64_t broker_number(std::string_view name, const broker_layers& broker, int64_t fallback) {
    std::optional<std::string> v = broker_value(name, broker);
    if (!v) return fallback;
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    return ec == std::errc() && end == v->data() + v->size() ? n : fallback;
}

bool broker_flag(std::string_view name, const broker_layers& broker, bool fallback) {
    std::optional<std::string> v = broker_value(name, broker);
    if (!v) return fallback;
    if (*v == "true") return true;
    if (*v == "false") return false;
    return fallback;
}

std::map<std::string, std::string> effective_topic_configs(const metadata::config_map& overrides,
                                                           const broker_layers& broker) {
    std::map<std::string, std::string> out;
    for (const config_def& def : topic_config_defs()) {
        auto it = overrides.find(def.name);
        std::optional<std::string> v = it != overrides.end()
                                            ? std::optional(normalized(&def, it->second))
                                            : topic_value_from_broker(def, broker);
        if (v) out.emplace(std::string(def.name), std::move(*v));
    }
    return out;
}

}  // namespace eddy::controller
