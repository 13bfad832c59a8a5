// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Legacy message sets (magic 0 and 1, Produce v0-v2) checked as Kafka's broker checks
// them (UnifiedLog.analyzeAndValidateRecords, LogValidator's conversion paths, the
// legacy deep-entry iterator) and rewritten as one magic-2 batch, which then goes
// through validate_produce_batches like any v3+ batch. Layout: legacy_format.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eddy/error_code.h"
#include "record/batch.h"
#include "record/compression.h"
#include "record/validate.h"

namespace eddy::record {

struct legacy_options {
    int32_t max_message_bytes = 1048588;         // max.message.bytes, per shallow entry
    size_t max_uncompressed_bytes = 64u << 20;   // Eddy's cap on a wrapper's inflated size
};

struct legacy_conversion {
    error_code error = error_code::none;
    std::string error_message;
    std::vector<record_error> record_errors;  // INVALID_RECORD for inner magic mismatches
    // One magic-2 batch from offset 0 holding every message in order (keys, values and
    // timestamps kept, magic 0 timestamps -1, no headers, no producer id), compressed
    // with the codec the client used. Empty when the input held no complete entry:
    // Kafka then appends nothing and answers with no error and offset -1.
    std::vector<uint8_t> batch;
    int32_t record_count = 0;
    compression codec = compression::none;

    bool ok() const { return error == error_code::none; }
};

// Checks and converts a partition's Produce records of magic 0/1 (the magic byte sits
// where a v2 batch's does; a v0-v2 request may carry a magic-2 batch too, which Kafka
// takes as it is, so the caller routes those to validate_produce_batches). Errors, in Kafka's
// order (first match wins):
//   entry size < 14, magic byte < 0 or > 2                      CORRUPT_MESSAGE
//   an entry (12 + size) > max_message_bytes                    MESSAGE_TOO_LARGE
//   an entry's CRC-32 mismatch                                  CORRUPT_MESSAGE
//   compression id 5-7                                          UNKNOWN_SERVER_ERROR
//   a compressed entry among several entries,
//   entries of different magic                                  INVALID_RECORD
//   wrapper: zstd, null value                                   INVALID_RECORD
//   wrapper value fails to decompress                           UNKNOWN_SERVER_ERROR
//   inflated size > max_uncompressed_bytes                      MESSAGE_TOO_LARGE
//   inner entry size < 14                                       CORRUPT_MESSAGE
//   no inner entry; magic-1 wrapper offset nonzero and below
//   the last inner offset; a compressed inner entry             INVALID_RECORD
//   inner CRC mismatch                                          CORRUPT_MESSAGE
//   inner magic != wrapper magic                                INVALID_RECORD + record_errors
//   key or value length past the end of its message             CORRUPT_MESSAGE (Kafka: an
//                                                               unchecked buffer error)
// A trailing partial entry (outer or inner) is dropped silently, as Kafka does. Keys on
// compacted topics, timestamps and sizes after conversion are left to
// validate_produce_batches. `scratch` holds an inflated wrapper. Lives on: the caller's
// thread.
legacy_conversion convert_legacy_message_set(const uint8_t* data, size_t size,
                                             const legacy_options& opts, byte_buffer& scratch);

// The LZ4 frame header checksum byte (xxHash32 of the descriptor, second byte) for the
// frame at `frame`; -1 when the header is cut short or not an LZ4 frame. Magic-0 lz4
// wrappers carry a wrong one (KAFKA-3160), which Kafka ignores.
int lz4_header_checksum(const uint8_t* frame, size_t n, size_t* checksum_pos);

}  // namespace eddy::record
