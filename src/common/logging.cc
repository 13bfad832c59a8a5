// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "common/logging.h"

#include <array>
#include <mutex>
#include <utility>

namespace eddy {
namespace {
std::mutex mutex;
}  // namespace

std::shared_ptr<spdlog::logger> get_logger(std::string_view name) {
    std::lock_guard lock(mutex);
    std::string key(name);
    if (auto existing = spdlog::get(key)) return existing;
    auto base = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(key, base->sinks().begin(), base->sinks().end());
    logger->set_level(base->level());
    spdlog::register_logger(logger);
    return logger;
}

void set_log_level(spdlog::level::level_enum level) {
    std::lock_guard lock(mutex);
    // set_level on the registry covers the default logger and every registered one.
    spdlog::set_level(level);
}

bool parse_log_level(std::string_view text, spdlog::level::level_enum& out) {
    static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> names{{
        {"trace", spdlog::level::trace},
        {"debug", spdlog::level::debug},
        {"info", spdlog::level::info},
        {"warn", spdlog::level::warn},
        {"error", spdlog::level::err},
        {"critical", spdlog::level::critical},
        {"off", spdlog::level::off},
    }};
    for (const auto& [n, level] : names) {
        if (n == text) {
            out = level;
            return true;
        }
    }
    return false;
}

}  // namespace eddy
