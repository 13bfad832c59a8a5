// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/file_names.h"

#include <charconv>
#include <cstdio>

namespace eddy::log {

std::string segment_file_name(int64_t base_offset, std::string_view suffix) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(base_offset));
    std::string name(digits);
    name.append(suffix);
    return name;
}

std::optional<int64_t> parse_segment_file_name(std::string_view name, std::string_view suffix) {
    if (name.size() != 20 + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
    int64_t value = 0;
    auto digits = name.substr(0, 20);
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
    return value;
}

std::string partition_dir_name(std::string_view topic, int32_t partition) {
    std::string name(topic);
    name += '-';
    name += std::to_string(partition);
    return name;
}

std::optional<std::pair<std::string, int32_t>> parse_partition_dir_name(std::string_view name) {
    auto dash = name.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
    int32_t partition = 0;
    auto num = name.substr(dash + 1);
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), partition);
    if (ec != std::errc{} || ptr != num.data() + num.size() || partition < 0) return std::nullopt;
    return std::pair{std::string(name.substr(0, dash)), partition};
}

}  // namespace eddy::log
