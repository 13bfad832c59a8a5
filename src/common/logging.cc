// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "common/logging.h"

#include <array>
#include <map>
#include <mutex>
#include <utility>

namespace eddy {
namespace {

std::mutex mutex;

// Each level's name in eddy.log.level and in Kafka (log4j's, critical being FATAL).
struct level_names {
    std::string_view eddy;
    std::string_view kafka;
    spdlog::level::level_enum level;
};
constexpr std::array<level_names, 7> all_levels{{
    {"trace", "TRACE", spdlog::level::trace},
    {"debug", "DEBUG", spdlog::level::debug},
    {"info", "INFO", spdlog::level::info},
    {"warn", "WARN", spdlog::level::warn},
    {"error", "ERROR", spdlog::level::err},
    {"critical", "FATAL", spdlog::level::critical},
    {"off", "OFF", spdlog::level::off},
}};

// The levels set by name ("root" always among them); guarded by `mutex`.
std::map<std::string, spdlog::level::level_enum, std::less<>>& own_levels() {
    static std::map<std::string, spdlog::level::level_enum, std::less<>> levels{
        {std::string(root_logger_name), spdlog::level::info}};
    return levels;
}

// log4j's resolution: the logger's own level, else its nearest dotted ancestor's, else
// root's. Callers hold `mutex`.
spdlog::level::level_enum resolve(std::string_view name) {
    const auto& levels = own_levels();
    for (;;) {
        if (auto it = levels.find(name); it != levels.end()) return it->second;
        const size_t dot = name.rfind('.');
        if (dot == std::string_view::npos || dot == 0) break;
        name = name.substr(0, dot);
    }
    return levels.find(root_logger_name)->second;
}

// spdlog names its default logger ""; Kafka calls it root.
std::string_view kafka_name(const std::string& spdlog_name) {
    return spdlog_name.empty() ? root_logger_name : std::string_view(spdlog_name);
}

// Re-applies every logger's resolved level after a change. Callers hold `mutex`.
void apply_levels() {
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) {
        l->set_level(resolve(kafka_name(l->name())));
    });
}

// Callers hold `mutex`.
std::shared_ptr<spdlog::logger> get_or_create(std::string_view name) {
    std::string key(name);
    if (auto existing = spdlog::get(key)) return existing;
    auto base = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>(key, base->sinks().begin(), base->sinks().end());
    logger->set_level(resolve(key));
    spdlog::register_logger(logger);
    return logger;
}

// The components' loggers exist from the first look at the list, as Kafka's classes'
// loggers do, so that a level can be set before a component first logs.
void create_component_loggers() {
    static constexpr std::array<std::string_view, 9> names{
        "config", "controller", "group", "kafka", "kafka.wire", "raft", "replica", "storage", "txn"};
    for (std::string_view name : names) get_or_create(name);
}

}  // namespace

std::shared_ptr<spdlog::logger> get_logger(std::string_view name) {
    std::lock_guard lock(mutex);
    return get_or_create(name);
}

void set_log_level(spdlog::level::level_enum level) {
    std::lock_guard lock(mutex);
    own_levels().clear();
    own_levels().emplace(root_logger_name, level);
    apply_levels();
}

bool parse_log_level(std::string_view text, spdlog::level::level_enum& out) {
    for (const level_names& n : all_levels) {
        if (n.eddy == text) {
            out = n.level;
            return true;
        }
    }
    return false;
}

std::vector<std::pair<std::string, spdlog::level::level_enum>> logger_levels() {
    std::lock_guard lock(mutex);
    create_component_loggers();
    std::map<std::string, spdlog::level::level_enum> named;
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
        if (!l->name().empty()) named.emplace(l->name(), resolve(l->name()));
    });
    std::vector<std::pair<std::string, spdlog::level::level_enum>> out;
    out.emplace_back(root_logger_name, resolve(root_logger_name));
    for (auto& [name, level] : named) out.emplace_back(name, level);
    return out;
}

bool logger_exists(std::string_view name) {
    std::lock_guard lock(mutex);
    create_component_loggers();
    return name == root_logger_name || (!name.empty() && spdlog::get(std::string(name)) != nullptr);
}

void set_logger_level(std::string_view name, spdlog::level::level_enum level) {
    std::lock_guard lock(mutex);
    own_levels().insert_or_assign(std::string(name), level);
    apply_levels();
}

void unset_logger_level(std::string_view name) {
    std::lock_guard lock(mutex);
    if (name == root_logger_name) return;
    if (auto it = own_levels().find(name); it != own_levels().end()) own_levels().erase(it);
    apply_levels();
}

std::string_view kafka_level_name(spdlog::level::level_enum level) {
    for (const level_names& n : all_levels) {
        if (n.level == level) return n.kafka;
    }
    return "OFF";
}

std::optional<spdlog::level::level_enum> parse_kafka_level(std::string_view text) {
    for (const level_names& n : all_levels) {
        if (n.kafka == text && n.level != spdlog::level::off) return n.level;
    }
    return std::nullopt;
}

}  // namespace eddy
