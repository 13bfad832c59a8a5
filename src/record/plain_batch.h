// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The record batches the broker writes itself (the metadata log, __consumer_offsets,
// transaction markers, legacy message sets converted to magic 2): magic-2 batches
// (batch_format.md) of keyed records without headers, every record stamped with the
// batch's timestamp as Kafka's KRaft BatchAccumulator and coordinators write them, or with
// its own; and the reading side.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "record/batch.h"
#include "record/compression.h"

namespace eddy::record {

// A record to write: views of its key and value; nullopt is a null key or value.
struct plain_record {
    std::optional<std::span<const uint8_t>> key;
    std::optional<std::span<const uint8_t>> value;
    // The record's own timestamp (a converted legacy message); nullopt: the batch's.
    std::optional<int64_t> timestamp_ms;
};

struct plain_batch_header {
    int64_t base_offset = 0;  // the log rewrites it on append
    int32_t leader_epoch = -1;
    int64_t timestamp_ms = 0;  // of every record without its own
    bool log_append_time = false;  // the timestamp-type bit
    bool control = false;
    // Transactional offset commits and markers carry the producer of the transaction;
    // everything else is written without one (-1, -1, -1).
    bool transactional = false;
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    int32_t base_sequence = no_sequence;
    compression codec = compression::none;  // kept uncompressed if compressing fails
};

// One batch of `records` (not empty), in order, with a correct CRC-32C. The base
// timestamp is the first record's and the max timestamp the largest, as Kafka's
// MemoryRecordsBuilder sets them.
std::vector<uint8_t> encode_plain_batch(const plain_batch_header& header,
                                        std::span<const plain_record> records);

// Calls `each(key, value)` for every record of a batch the caller has scanned (CRC
// checked), decompressing into `scratch` up to `limit` bytes. False with `error` set when
// the records do not decompress or parse (records already visited stay visited).
using plain_record_visitor = std::function<void(std::optional<std::span<const uint8_t>> key,
                                                std::optional<std::span<const uint8_t>> value)>;
bool for_each_plain_record(const batch_view& batch, byte_buffer& scratch, size_t limit,
                           const plain_record_visitor& each, std::string& error);

}  // namespace eddy::record
