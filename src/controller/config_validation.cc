// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "controller/config_validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "controller/config_defs.h"
#include "controller/effective_config.h"

namespace eddy::controller {

namespace {

// A compaction lag as LogConfig.validate sees it: the topic's override, else the value
// the broker's log.cleaner.* synonym gives it (Kafka lays the overrides over the
// broker's log config before comparing the two lags). Overrides are parsed already.
int64_t compaction_lag(const metadata::config_map& configs, const broker_layers& broker,
                       std::string_view name) {
    const config_def& def = *find_topic_config(name);
    auto it = configs.find(name);
    std::optional<std::string> value = it != configs.end()
                                           ? parse_config_value(def, it->second).value
                                           : resolve_topic_config(def, {}, broker).value;
    int64_t n = 0;
    if (value) std::from_chars(value->data(), value->data() + value->size(), n);
    return n;
}

std::vector<std::string> split_plain(std::string_view s) {
    // String.split(",") as ConfigurationControlManager uses it: trailing empty strings go.
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string_view::npos) comma = s.size();
        out.emplace_back(s.substr(start, comma - start));
        start = comma + 1;
    }
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += ',';
        out += parts[i];
    }
    return out;
}

}  // namespace

api_error validate_topic_configs(const metadata::config_map& configs, const broker_layers& broker) {
    for (const auto& [name, value] : configs) {
        if (find_topic_config(name) == nullptr) {
            return fail(error_code::invalid_config, "Unknown topic config name: " + name);
        }
    }
    for (const auto& [name, value] : configs) {
        parsed_value p = parse_config_value(*find_topic_config(name), value);
        if (!p.value) return fail(error_code::invalid_config, p.error);
    }
    const int64_t min_lag = compaction_lag(configs, broker, "min.compaction.lag.ms");
    const int64_t max_lag = compaction_lag(configs, broker, "max.compaction.lag.ms");
    if (min_lag > max_lag) {
        return fail(error_code::invalid_config,
                    fmt::format("conflict topic config setting min.compaction.lag.ms ({}) > "
                                "max.compaction.lag.ms ({})",
                                min_lag, max_lag));
    }
    if (auto it = configs.find(std::string_view("remote.storage.enable"));
        it != configs.end() &&
        parse_config_value(*find_topic_config(it->first), it->second).value == "true") {
        return fail(error_code::invalid_config,
                    "Tiered Storage functionality is disabled in the broker. Topic cannot be "
                    "configured with remote log storage.");
    }
    return {};
}

api_error apply_alter_op(metadata::config_map& configs, std::string_view name, alter_op op,
                         const std::optional<std::string>& value, bool is_list,
                         std::optional<std::string_view> list_default) {
    switch (op) {
        case alter_op::set:
            configs[std::string(name)] = value.value_or("");
            return {};
        case alter_op::del:
            if (auto it = configs.find(name); it != configs.end()) configs.erase(it);
            return {};
        case alter_op::append:
        case alter_op::subtract: {
            if (!is_list) {
                return fail(error_code::invalid_config,
                            fmt::format("Can't {} to key {} because its type is not LIST.",
                                        op == alter_op::append ? "APPEND" : "SUBTRACT", name));
            }
            auto it = configs.find(name);
            std::string current = it != configs.end() ? it->second
                                                      : std::string(list_default.value_or(""));
            std::vector<std::string> parts;
            for (auto& p : split_plain(current)) {
                if (!p.empty()) parts.push_back(std::move(p));
            }
            for (const auto& v : split_plain(value.value_or(""))) {
                auto pos = std::find(parts.begin(), parts.end(), v);
                if (op == alter_op::append && pos == parts.end()) parts.push_back(v);
                if (op == alter_op::subtract && pos != parts.end()) parts.erase(pos);
            }
            configs[std::string(name)] = join(parts);
            return {};
        }
    }
    return fail(error_code::invalid_request, "Unknown operation type");
}

}  // namespace eddy::controller
