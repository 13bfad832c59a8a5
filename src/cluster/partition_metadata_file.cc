// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/partition_metadata_file.h"

#include "common/ascii.h"
#include "metadata/uuid_text.h"

#include <charconv>

namespace eddy::cluster {
namespace {

// Kafka splits each line on runs of whitespace and wants exactly two fields.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key) {
    line = trim_blanks(line);
    if (!line.starts_with(key)) return std::nullopt;
    std::string_view rest = line.substr(key.size());
    if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) return std::nullopt;
    rest = trim_blanks(rest);
    if (rest.empty() || rest.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
    return rest;
}

std::error_code malformed() { return std::make_error_code(std::errc::illegal_byte_sequence); }

}  // namespace

std::error_code write_partition_metadata(log::filesystem& fs, const std::string& partition_dir,
                                         const codec::uuid& topic_id) {
    const std::string text = "version: 0\ntopic_id: " + metadata::to_string(topic_id);
    return log::write_file_atomically(
        fs, partition_dir, std::string(partition_metadata_name),
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

log::result<std::optional<codec::uuid>> read_partition_metadata(log::filesystem& fs,
                                                                const std::string& partition_dir) {
    const std::string path = log::join_path(partition_dir, std::string(partition_metadata_name));
    if (!fs.exists(path)) return std::optional<codec::uuid>{};
    auto bytes = log::read_whole_file(fs, path);
    if (!bytes) return bytes.error();
    std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return malformed();
    std::string_view second = text.substr(newline + 1);
    second = second.substr(0, second.find('\n'));
    auto version = value_of(text.substr(0, newline), "version:");
    auto id_text = value_of(second, "topic_id:");
    if (!version || !id_text) return malformed();
    int v = -1;
    auto [end, ec] = std::from_chars(version->data(), version->data() + version->size(), v);
    // Kafka reads any version from 0 up, for downgrades; the fields stay the same.
    if (ec != std::errc() || end != version->data() + version->size() || v < 0) return malformed();
    std::optional<codec::uuid> id = metadata::uuid_from_string(*id_text);
    if (!id || *id == codec::uuid{}) return malformed();
    return id;
}

}  // namespace eddy::cluster
