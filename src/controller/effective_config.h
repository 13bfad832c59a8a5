// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Where a config's value comes from: topic override, dynamic broker config (this broker,
// then cluster default), static broker config (server.properties), or Kafka's default.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/config_defs.h"
#include "metadata/metadata_image.h"

namespace eddy::controller {

// The broker-level layers, highest priority first. Borrowed; outlives the call.
struct broker_layers {
    const metadata::config_map& dynamic_node;     // ConfigRecord BROKER "<node id>"
    const metadata::config_map& dynamic_default;  // ConfigRecord BROKER ""
    const std::map<std::string, std::string, std::less<>>& static_configs;

    // This node's layers in `image`.
    static broker_layers of(const metadata::metadata_image& image, int32_t node_id,
                            const std::map<std::string, std::string, std::less<>>& statics);
};

struct config_synonym_value {
    std::string name;
    std::optional<std::string> value;  // null when sensitive
    config_source source = config_source::unknown;
};

struct resolved_config {
    std::string name;
    std::optional<std::string> value;  // null when sensitive or without a default
    config_source source = config_source::default_config;
    config_type type = config_type::unknown;
    bool sensitive = false;
    bool read_only = false;
    std::vector<config_synonym_value> synonyms;  // all of them; the caller drops if unasked
};

// A topic config as DescribeConfigs (ConfigHelper.createTopicConfigEntry) shows it.
// `overrides` are the topic's dynamic configs.
resolved_config resolve_topic_config(const config_def& def, const metadata::config_map& overrides,
                                     const broker_layers& broker);

// The source CreateTopics v5+ gives a new topic's config (KRaft's
// KafkaConfigSchema.resolveEffectiveTopicConfig): the topic's own config, else the first
// broker layer that sets any of its synonyms, else the default. DescribeConfigs differs
// when only a later synonym is set (log.retention.hours alone): it says DEFAULT_CONFIG.
config_source topic_config_source_at_creation(const config_def& def,
                                              const metadata::config_map& overrides,
                                              const broker_layers& broker);

// A broker config as DescribeConfigs shows it for this broker (per_broker) or for the
// cluster default resource "" (only dynamic cluster-default values). Names outside the
// broker table are typeless, hence sensitive, as in Kafka.
resolved_config resolve_broker_config(std::string_view name, const broker_layers& broker,
                                      bool per_broker);

// The effective value of a broker config: the first layer that sets it, else its default.
std::optional<std::string> broker_value(std::string_view name, const broker_layers& broker);
int64_t broker_number(std::string_view name, const broker_layers& broker, int64_t fallback);
bool broker_flag(std::string_view name, const broker_layers& broker, bool fallback);

// Every topic config's effective value for a topic with `overrides` (what the log uses).
std::map<std::string, std::string> effective_topic_configs(const metadata::config_map& overrides,
                                                           const broker_layers& broker);

}  // namespace eddy::controller
