// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The record batches the group coordinator writes to and reads from __consumer_offsets:
// plain magic-2 batches (src/record/batch_format.md) of keyed records whose value may
// be null (a tombstone), as Kafka's coordinator writes them (record/plain_batch.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "group/coordinator_shard.h"
#include "record/batch.h"
#include "record/compression.h"

namespace eddy::group {

// The producer of a transactional batch (TxnOffsetCommit); the default is none. Such a
// batch has no sequence, as Kafka's coordinator writes it.
struct batch_producer {
    int64_t id = record::no_producer_id;
    int16_t epoch = record::no_producer_epoch;
};

// One batch holding `records` (not empty) in order: create-time timestamps `now_ms`, the
// given leader epoch, the records compressed with `codec`
// (offsets.topic.compression.codec), and a correct CRC-32C. The log assigns the offsets.
// Without a producer the batch has no producer id; with one it is a transactional batch
// of that producer.
std::vector<uint8_t> encode_offsets_batch(std::span<const coordinator_record> records,
                                          int32_t leader_epoch, int64_t now_ms,
                                          record::compression codec,
                                          const batch_producer& producer = {});

// Calls `each(key, value)` for every record of a batch the caller has scanned (CRC
// checked); a record without a key is skipped (Kafka's loader ignores it). Returns false
// with `error` set when the records do not decode. Control batches (transaction markers,
// record::read_marker) are not read through this.
using record_visitor =
    std::function<void(std::span<const uint8_t>, std::optional<std::span<const uint8_t>>)>;
bool read_offsets_batch(const record::batch_view& batch, record::byte_buffer& scratch,
                        const record_visitor& each, std::string& error);

}  // namespace eddy::group
