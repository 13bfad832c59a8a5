// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: the batches the log tests append (built by tests/record's batch_builder) and
// what the log returns, parsed back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "log/log.h"

namespace eddy::log::test {

struct batch_spec {
    int records = 1;
    int64_t base_timestamp = 1000;
    int64_t max_timestamp = -2;  // -2: base_timestamp + records - 1
    size_t value_size = 10;
    int64_t base_offset = 0;
    int32_t leader_epoch = -1;
};

// One uncompressed batch with a correct CRC-32C: null keys, no headers, record i with
// timestamp delta i.
std::vector<uint8_t> make_batch(const batch_spec& spec);

struct batch_info {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int32_t leader_epoch;
    bool crc_ok;
};

// The whole batches in `bytes` (a partial trailing batch is ignored, as clients do).
std::vector<batch_info> parse_batches(const std::vector<uint8_t>& bytes);

// The bytes of a read, copied out of the file slices.
std::vector<uint8_t> slice_bytes(const read_result& r);

// Reads everything from `offset` to the end and returns the whole batches.
std::vector<batch_info> read_all(log& l, int64_t offset);

}  // namespace eddy::log::test
