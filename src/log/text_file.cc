// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/text_file.h"

namespace eddy::log {

std::vector<std::string_view> split_whitespace(std::string_view line) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) parts.push_back(line.substr(start, i - start));
    }
    return parts;
}

result<std::string> read_text(filesystem& fs, const std::string& path) {
    auto bytes = read_whole_file(fs, path);
    if (!bytes) return bytes.error();
    return std::string(bytes->begin(), bytes->end());
}

std::error_code write_text(filesystem& fs, const std::string& dir, const std::string& name,
                           const std::string& text) {
    return write_file_atomically(
        fs, dir, name, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace eddy::log
