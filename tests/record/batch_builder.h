// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: builds magic-2 record batches byte by byte, honest or deliberately not.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "record/batch.h"

namespace eddy::record::test {

struct test_header {
    std::string key;
    std::optional<std::string> value;
};

struct test_record {
    test_record(std::optional<std::string> k, std::optional<std::string> v, int64_t ts_delta = 0,
                std::vector<test_header> h = {})
        : key(std::move(k)), value(std::move(v)), timestamp_delta(ts_delta), headers(std::move(h)) {}

    std::optional<std::string> key;
    std::optional<std::string> value;
    int64_t timestamp_delta = 0;
    std::vector<test_header> headers;
    std::optional<int32_t> offset_delta;  // default: the record's index
};

struct test_batch {
    std::vector<test_record> records;
    compression codec = compression::none;
    int64_t base_offset = 0;
    int32_t partition_leader_epoch = -1;
    int64_t base_timestamp = 1'700'000'000'000;
    std::optional<int64_t> max_timestamp;  // default: computed from the records
    timestamp_type ts_type = timestamp_type::create_time;
    bool transactional = false;
    bool control = false;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    std::optional<int32_t> records_count;      // default: records.size()
    std::optional<int32_t> last_offset_delta;  // default: count - 1
    std::optional<uint8_t> codec_bits;         // overrides the attribute bits 0-2
};

// The five codecs, for tests that go through each.
inline constexpr compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                             compression::lz4, compression::zstd};

// A record read back from stored or fetched batches: absolute offset, the record's own
// timestamp (base timestamp + delta; under LogAppendTime a consumer sees the batch's max
// timestamp instead), key, value and headers.
struct decoded_record {
    int64_t offset = 0;
    int64_t timestamp = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    bool operator==(const decoded_record&) const = default;
};
// Every record of the whole batches in `bytes` (a partial batch at the end is ignored, as a
// consumer ignores it). Throws std::runtime_error, naming the reason, when a batch does not
// decompress or its records do not parse, so the calling test fails with it.
std::vector<decoded_record> decode_records(std::span<const uint8_t> bytes);

// The records section, uncompressed.
std::vector<uint8_t> encode_records(const test_batch& b);
// A whole batch with a correct batchLength and CRC.
std::vector<uint8_t> build_batch(const test_batch& b);
// A batch of `records` records ("k" -> "v") from an idempotent producer: id, epoch and first
// sequence as given.
std::vector<uint8_t> producer_batch(int64_t producer_id, int16_t epoch, int32_t base_sequence,
                                    int records, int64_t base_timestamp,
                                    bool transactional = false);
// Recomputes the CRC of the batch at the start of `bytes` (after a test edits it).
void fix_crc(std::vector<uint8_t>& bytes);
// `batch` with its records section replaced by `payload`, batchLength and CRC made to
// match, so that only what is inside the payload is wrong.
std::vector<uint8_t> with_payload(std::vector<uint8_t> batch, std::span<const uint8_t> payload);
// Lowercase hex, and back.
std::string to_hex(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> from_hex(const std::string& hex);

}  // namespace eddy::record::test
