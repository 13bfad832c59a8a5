// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The records of __consumer_offsets for offsets and classic groups, in Kafka's formats (records_format.md): encoding for the shard, decoding for replay.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "eddy/codec/versioned.h"
#include "eddy/msg/group_metadata_value.h"
#include "eddy/msg/offset_commit_value.h"
#include "group/consumer_records.h"
#include "group/coordinator_shard.h"

namespace eddy::group {

// Key schema versions of __consumer_offsets. The key's leading int16 names the record type.
inline constexpr int16_t offset_commit_key_version = 1;   // OffsetCommitKey v0/v1
inline constexpr int16_t group_metadata_key_version = 2;  // GroupMetadataKey v2
// Kafka 3.9 writes GroupMetadataValue v3 (the newest non-flexible version).
inline constexpr int16_t group_metadata_value_version = 3;

// A key or value as __consumer_offsets stores it: the int16 version, then the message.
using codec::encode_versioned;

// One committed offset, as OffsetCommitValue holds it.
struct offset_entry {
    int64_t offset = 0;
    std::optional<int32_t> leader_epoch;  // absent: -1 on the wire
    std::string metadata;
    int64_t commit_timestamp_ms = 0;
    std::optional<int64_t> expire_timestamp_ms;  // only v1 values carry it
    bool operator==(const offset_entry&) const = default;
};

coordinator_record offset_commit_record(const std::string& group, const std::string& topic,
                                        int32_t partition, const offset_entry& entry);
coordinator_record offset_commit_tombstone(const std::string& group, const std::string& topic,
                                           int32_t partition);
coordinator_record group_metadata_record(const std::string& group,
                                         const msg::group_metadata_value& value);
coordinator_record group_metadata_tombstone(const std::string& group);

// A decoded record. A null value (tombstone) leaves `value` empty.
struct offset_commit_event {
    std::string group;
    std::string topic;
    int32_t partition = 0;
    std::optional<offset_entry> value;
};
struct group_metadata_event {
    std::string group;
    std::optional<msg::group_metadata_value> value;
};
// A record type this shard does not handle (share groups, or a type newer than this
// broker); Kafka's loader skips those too.
struct ignored_record {};
using decoded_record =
    std::variant<offset_commit_event, group_metadata_event, consumer_group_event, ignored_record>;

// Decodes one key/value; nullopt when the bytes do not parse as the version they name.
std::optional<decoded_record> decode_record(std::span<const uint8_t> key,
                                            std::optional<std::span<const uint8_t>> value);

}  // namespace eddy::group
