// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ASCII helpers, independent of the C locale: case folding for names Kafka compares
// without case (config values, group states and types), as Java's toLowerCase on ASCII
// text, and trimming of the blanks around a properties value or a list entry.
#pragma once

#include <string>
#include <string_view>

namespace eddy {

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// `s` without leading and trailing spaces and tabs.
inline std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace eddy
