// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Named spdlog loggers, one per component, all sharing one sink and one level.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace eddy {

// Returns the logger called `name` ("kafka", "kafka.wire", "config", ...), creating it
// on first use with the default logger's sinks and the level set by set_log_level.
// Thread-safe.
std::shared_ptr<spdlog::logger> get_logger(std::string_view name);

// Sets the level of every logger, present and future. Thread-safe.
void set_log_level(spdlog::level::level_enum level);

// Parses "trace", "debug", "info", "warn", "error", "critical" or "off"; false when
// the text is none of those.
bool parse_log_level(std::string_view text, spdlog::level::level_enum& out);

}  // namespace eddy
