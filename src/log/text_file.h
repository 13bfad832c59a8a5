// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reading and writing Kafka's small text files (checkpoints, partition.metadata): whole
// files as text, lines split on runs of whitespace as Kafka splits them, and strict
// integer fields.
#pragma once

#include "log/filesystem.h"

#include <charconv>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace eddy::log {

// The fields of `line` between runs of spaces, tabs and carriage returns.
std::vector<std::string_view> split_whitespace(std::string_view line);

// The whole of `s` as an integer: no sign or space around it, no trailing characters.
template <typename Int>
bool parse_int(std::string_view s, Int& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
}

result<std::string> read_text(filesystem& fs, const std::string& path);

// Replaces dir/name with `text` atomically and durably (write_file_atomically).
std::error_code write_text(filesystem& fs, const std::string& dir, const std::string& name,
                           const std::string& text);

}  // namespace eddy::log
