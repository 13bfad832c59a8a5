// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "controller/topic_names.h"

#include <fmt/format.h>

#include <algorithm>

namespace eddy::controller {

namespace {
constexpr size_t max_name_length = 249;

bool legal_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

std::string unify(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '.', '_');
    return out;
}
}  // namespace

std::optional<std::string> topic_name_error(std::string_view name) {
    constexpr std::string_view prefix = "Topic name is invalid: ";
    if (name.empty()) return fmt::format("{}the empty string is not allowed", prefix);
    if (name == ".") return fmt::format("{}'.' is not allowed", prefix);
    if (name == "..") return fmt::format("{}'..' is not allowed", prefix);
    if (name.size() > max_name_length) {
        return fmt::format("{}the length of '{}' is longer than the max allowed length {}", prefix,
                           name, max_name_length);
    }
    if (!std::all_of(name.begin(), name.end(), legal_char)) {
        return fmt::format(
            "{}'{}' contains one or more characters other than ASCII alphanumerics, '.', '_' "
            "and '-'",
            prefix, name);
    }
    return std::nullopt;
}

bool is_internal_topic(std::string_view name) {
    return name == group_metadata_topic || name == transaction_state_topic ||
           name == "__share_group_state";
}

std::optional<std::string> colliding_topic(const metadata::metadata_image& image,
                                           std::string_view name) {
    if (name.find_first_of("._") == std::string_view::npos) return std::nullopt;
    const std::string unified = unify(name);
    // Linear in the number of topics; CreateTopics is rare and Kafka keeps a side index
    // only to save this scan.
    for (const auto& [existing, topic] : image.topic_names()) {
        if (existing != name && existing.size() == name.size() && unify(existing) == unified) {
            return existing;
        }
    }
    return std::nullopt;
}

}  // namespace eddy::controller
