// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ASCII case folding for names Kafka compares without case (config values, group states
// and types): Java's toLowerCase on ASCII text, independent of the C locale.
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

}  // namespace eddy
