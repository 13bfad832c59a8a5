// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/list_filter.h"

#include <cctype>

#include "common/ascii.h"

namespace eddy::group {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

list_filter::list_filter(std::span<const std::string> states, std::span<const std::string> types) {
    for (const auto& s : states) states_.insert(ascii_lower(trim(s)));
    for (const auto& t : types) types_.insert(ascii_lower(t));
}

bool list_filter::wants_type(std::string_view type) const {
    return types_.empty() || types_.count(ascii_lower(type)) > 0;
}

bool list_filter::wants_state(std::string_view state) const {
    return states_.empty() || states_.count(ascii_lower(state)) > 0;
}

}  // namespace eddy::group
