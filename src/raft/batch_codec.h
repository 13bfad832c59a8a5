// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The record batches of the metadata log: regular magic-2 batches (src/record/batch_format.md)
// whose records have a null key and a framed metadata record as value, and control batches
// holding one control record (the LeaderChangeMessage a new leader writes; a snapshot's
// SnapshotHeaderRecord and SnapshotFooterRecord).
#pragma once

#include "eddy/msg/leader_change_message.h"
#include "eddy/msg/snapshot_footer_record.h"
#include "eddy/msg/snapshot_header_record.h"
#include "record/batch.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eddy::raft {

struct batch_header {
    int64_t base_offset = 0;  // the log rewrites it on append
    int32_t leader_epoch = -1;
    int64_t timestamp_ms = 0;  // every record gets it, as Kafka's BatchAccumulator does
    bool control = false;
};

struct raw_record {
    std::optional<std::vector<uint8_t>> key;  // null for metadata records
    std::vector<uint8_t> value;
};

// One uncompressed batch with Kafka's KRaft header values: no producer id, epoch or
// sequence, create-time timestamps, and a correct CRC-32C. `records` must not be empty.
std::vector<uint8_t> encode_batch(const batch_header& header, std::span<const raw_record> records);

// A batch of null-keyed records with these values (a data batch of the metadata log).
std::vector<uint8_t> encode_data_batch(const batch_header& header,
                                       std::span<const std::vector<uint8_t>> values);

// ControlRecordType ids (the second int16 of a control record's key).
inline constexpr int16_t control_type_leader_change = 2;
inline constexpr int16_t control_type_snapshot_header = 3;
inline constexpr int16_t control_type_snapshot_footer = 4;
inline constexpr int16_t control_type_kraft_version = 5;
inline constexpr int16_t control_type_kraft_voters = 6;
// ControlRecordUtils.*_CURRENT_VERSION: the version each control message is written in.
inline constexpr int16_t leader_change_version = 0;
inline constexpr int16_t snapshot_header_version = 0;
inline constexpr int16_t snapshot_footer_version = 0;

// A control batch with one record: key {version 0, `type`}, value `value`.
std::vector<uint8_t> encode_control_batch(const batch_header& header, int16_t type,
                                          std::vector<uint8_t> value);

// A control batch with one LEADER_CHANGE record: key {version 0, type 2}, value the
// LeaderChangeMessage in version 0 (its body; the message carries its own Version field).
std::vector<uint8_t> encode_leader_change_batch(const batch_header& header,
                                                const msg::leader_change_message& message);
// The control batches that open and close a snapshot file (RecordsSnapshotWriter).
std::vector<uint8_t> encode_snapshot_header_batch(const batch_header& header,
                                                  const msg::snapshot_header_record& header_record);
std::vector<uint8_t> encode_snapshot_footer_batch(const batch_header& header);

// The ControlRecordType id in a control record's key (int16 version >= 0, int16 type);
// nullopt when the key is null, shorter than 4 bytes or has a negative version.
std::optional<int16_t> control_record_type(const raw_record& r);

// A batch read back from the log.
struct decoded_batch {
    int64_t base_offset = 0;
    int64_t last_offset = 0;
    int32_t leader_epoch = -1;
    int64_t max_timestamp = -1;
    bool control = false;
    std::vector<raw_record> records;
};

// Decodes every record of a batch the caller has scanned (CRC checked). Compressed
// batches are decompressed (Kafka's metadata log may be compressed). nullopt with `error`
// set when the records do not parse.
std::optional<decoded_batch> decode_batch(const record::batch_view& batch, std::string& error);

}  // namespace eddy::raft
