// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Named spdlog loggers, one per component, all sharing one sink. Their levels resolve as
// log4j's do in Kafka: a logger without a level of its own takes its nearest dotted
// ancestor's ("kafka.wire" takes "kafka"'s), and at the top the root logger's (spdlog's
// default logger). Kafka's BROKER_LOGGER config resource (KIP-412) shows and sets them.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy {

// log4j's name for the root logger, as Kafka's DescribeConfigs lists it.
inline constexpr std::string_view root_logger_name = "root";

// Returns the logger called `name` ("kafka", "kafka.wire", "config", ...), creating it
// on first use with the default logger's sinks and its resolved level. Thread-safe.
std::shared_ptr<spdlog::logger> get_logger(std::string_view name);

// Sets the root level and clears every logger's own level, so that all loggers, present
// and future, log at `level`. Thread-safe.
void set_log_level(spdlog::level::level_enum level);

// Parses "trace", "debug", "info", "warn", "error", "critical" or "off"; false when
// the text is none of those.
bool parse_log_level(std::string_view text, spdlog::level::level_enum& out);

// Every logger that exists, "root" first, with its resolved level. Thread-safe.
std::vector<std::pair<std::string, spdlog::level::level_enum>> logger_levels();

// Whether `name` is "root" or a logger get_logger has created. Thread-safe.
bool logger_exists(std::string_view name);

// Gives an existing logger (or "root") a level of its own; loggers that inherit from it
// follow. Thread-safe.
void set_logger_level(std::string_view name, spdlog::level::level_enum level);

// Drops a logger's own level, so that it inherits again. Not for "root". Thread-safe.
void unset_logger_level(std::string_view name);

// log4j's level names, as Kafka shows them: TRACE, DEBUG, INFO, WARN, ERROR, FATAL
// (spdlog's critical), OFF.
std::string_view kafka_level_name(spdlog::level::level_enum level);

// The levels Kafka lets a BROKER_LOGGER change set (LogLevelConfig.VALID_LOG_LEVELS),
// matched exactly as Kafka matches them: upper case, OFF not among them.
std::optional<spdlog::level::level_enum> parse_kafka_level(std::string_view text);

}  // namespace eddy
