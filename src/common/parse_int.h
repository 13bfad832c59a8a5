// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Strict integer text: Kafka's small files' fields and the numeric names of config
// resources (a broker id), read whole.
#pragma once

#include <charconv>
#include <string_view>
#include <system_error>

namespace eddy {

// The whole of `s` as an integer: no sign or space around it, no trailing characters.
template <typename Int>
bool parse_int(std::string_view s, Int& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace eddy
