// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's topic and broker config definitions: names, types, defaults, validators,
// synonyms (facts from Kafka 3.9's TopicConfig, LogConfig, ServerLogConfigs,
// ServerTopicConfigSynonyms, KafkaConfig and DynamicBrokerConfig).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::controller {

// ConfigDef.Type as DescribeConfigs (v3+) numbers it (DescribeConfigsResponse.ConfigType).
enum class config_type : int8_t {
    unknown = 0,
    boolean = 1,
    string = 2,
    int_ = 3,
    short_ = 4,
    long_ = 5,
    double_ = 6,
    list = 7,
    class_ = 8,
    password = 9,
};

// DescribeConfigsResponse.ConfigSource ids.
enum class config_source : int8_t {
    unknown = 0,
    dynamic_topic = 1,  // TOPIC_CONFIG
    dynamic_broker = 2,
    dynamic_default_broker = 3,
    static_broker = 4,
    default_config = 5,
    dynamic_broker_logger = 6,
    client_metrics = 7,
};

// How a broker synonym's value turns into the topic config's unit (ConfigSynonym).
enum class unit_conversion : uint8_t { none, hours_to_ms, minutes_to_ms };

struct config_synonym {
    std::string_view name;
    unit_conversion conversion = unit_conversion::none;
};

// What values a config accepts beyond its type.
enum class validator_kind : uint8_t {
    none,
    range,           // min/max (either may be absent), ConfigDef.Range
    one_of,          // ConfigDef.ValidString.in
    list_of,         // ConfigDef.ValidList.in: every element one of `choices`
    gzip_level,      // 1..9 or -1 (CompressionType.GZIP.levelValidator)
    throttled_list,  // "*" or [partition]:[broker],... (ThrottledReplicaListValidator)
    version,         // a MetadataVersion string such as "3.0-IV1" (MetadataVersionValidator)
};

struct config_def {
    std::string_view name;
    config_type type;
    std::optional<std::string_view> default_value;  // as Kafka prints it; nullopt: no default
    validator_kind validator = validator_kind::none;
    std::optional<double> min;
    std::optional<double> max;
    std::span<const std::string_view> choices;
    // Topic configs: the broker configs it defaults from, highest priority first.
    // Broker configs: unused (see broker_config_synonyms).
    std::span<const config_synonym> synonyms;
    // Broker configs only: can change without a restart (DynamicBrokerConfig.AllDynamicConfigs).
    bool dynamic = false;
};

// What both tables (topic_config_defs.cc, broker_config_defs.cc) spell alike: a topic
// config and its broker synonym accept the same values.
namespace config_literals {
inline constexpr std::string_view long_max = "9223372036854775807";
inline constexpr std::nullopt_t none = std::nullopt;
inline constexpr std::array<std::string_view, 2> cleanup_policies{"compact", "delete"};
inline constexpr std::array<std::string_view, 6> compression_types{
    "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"};
inline constexpr std::array<std::string_view, 2> timestamp_types{"CreateTime", "LogAppendTime"};
}  // namespace config_literals

// Every topic config Kafka 3.9 knows, sorted by name.
std::span<const config_def> topic_config_defs();
const config_def* find_topic_config(std::string_view name);

// The broker configs this broker describes and accepts, sorted by name.
std::span<const config_def> broker_config_defs();
const config_def* find_broker_config(std::string_view name);

// DynamicBrokerConfig.brokerConfigSynonyms: the names that set the same broker value,
// highest priority first (log.retention.ms/minutes/hours, log.roll.ms/hours, ...); just
// {name} for most configs.
std::vector<std::string_view> broker_config_synonyms(std::string_view name);

// ConfigDef.parseType plus the validator: the value in Kafka's printed form
// ("  5 " -> "5", "Compact , delete" stays an error, "true" for "TRUE") or the text of
// the ConfigException Kafka raises ("Invalid value x for configuration y: ...").
struct parsed_value {
    std::optional<std::string> value;
    std::string error;
};
parsed_value parse_config_value(const config_def& def, std::string_view raw);

// The comma-separated elements of a list value, as ConfigDef splits it.
std::vector<std::string> split_list(std::string_view value);

// A broker value converted to the unit of the topic config it stands for.
std::string convert_synonym_value(std::string_view value, unit_conversion conversion);

}  // namespace eddy::controller
