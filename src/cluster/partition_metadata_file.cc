// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/partition_metadata_file.h"

#include "log/text_file.h"
#include "eddy/codec/uuid_text.h"

#include <vector>

namespace eddy::cluster {
namespace {

std::error_code malformed() { return std::make_error_code(std::errc::illegal_byte_sequence); }

// The value of a "<key> <value>" line, split as Kafka splits it (on runs of whitespace,
// exactly two fields); nullopt when the line is not that.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key) {
    std::vector<std::string_view> fields = log::split_whitespace(line);
    if (fields.size() != 2 || fields[0] != key) return std::nullopt;
    return fields[1];
}

}  // namespace

std::error_code write_partition_metadata(log::filesystem& fs, const std::string& partition_dir,
                                         const codec::uuid& topic_id) {
    return log::write_text(fs, partition_dir, std::string(partition_metadata_name),
                           "version: 0\ntopic_id: " + codec::to_string(topic_id));
}

log::result<std::optional<codec::uuid>> read_partition_metadata(log::filesystem& fs,
                                                                const std::string& partition_dir) {
    const std::string path = log::join_path(partition_dir, std::string(partition_metadata_name));
    if (!fs.exists(path)) return std::optional<codec::uuid>{};
    auto read = log::read_text(fs, path);
    if (!read) return read.error();
    std::string_view text = *read;
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return malformed();
    std::string_view second = text.substr(newline + 1);
    second = second.substr(0, second.find('\n'));
    auto version = value_of(text.substr(0, newline), "version:");
    auto id_text = value_of(second, "topic_id:");
    if (!version || !id_text) return malformed();
    // Kafka reads any version from 0 up, for downgrades; the fields stay the same.
    int v = -1;
    if (!log::parse_int(*version, v) || v < 0) return malformed();
    std::optional<codec::uuid> id = codec::uuid_from_string(*id_text);
    if (!id || *id == codec::uuid{}) return malformed();
    return id;
}

}  // namespace eddy::cluster
