// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reading and writing Kafka's small text files (checkpoints, partition.metadata): whole
// files as text, lines split on runs of whitespace as Kafka splits them, and strict
// integer fields.
#pragma once

#include "common/parse_int.h"
#include "log/filesystem.h"

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace eddy::log {

// The fields of `line` between runs of spaces, tabs and carriage returns.
std::vector<std::string_view> split_whitespace(std::string_view line);

using eddy::parse_int;

result<std::string> read_text(filesystem& fs, const std::string& path);

// Replaces dir/name with `text` atomically and durably (write_file_atomically).
std::error_code write_text(filesystem& fs, const std::string& dir, const std::string& name,
                           const std::string& text);

}  // namespace eddy::log
