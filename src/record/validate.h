// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Validating the records of one partition in a Produce request (v3+), as Kafka's
// broker does (ProduceRequest.validateRecords, UnifiedLog.analyzeAndValidateRecords,
// LogValidator for magic 2 with in-place offset assignment), with Kafka's errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eddy/error_code.h"
#include "record/batch.h"
#include "record/compression.h"

namespace eddy::record {

// eddy.produce.batch.validation: how much of a compressed batch Produce reads.
enum class batch_validation {
    // Kafka's LogValidator: every record of every batch is decompressed and checked.
    strict,
    // DESIGN.md invariant 3: an lz4 or zstd batch is checked by its header, its CRC and
    // its codec's framing (the stream is whole; the record count fits what it can
    // decompress to) and stored without being decompressed, unless the broker needs its
    // records: a compacted topic (keys), message.timestamp.before/after.max.ms set under
    // CreateTime, a batch claiming LogAppendTime, or a header whose maxTimestamp is not
    // a maximum (unset). Uncompressed batches cost no decompression and are always read
    // whole; so are gzip and snappy, whose framing cannot show a cut stream.
    relaxed,
};

// Topic/broker settings the checks depend on. Names follow Kafka's configs.
struct produce_options {
    int16_t api_version = 11;                             // Produce request version
    int32_t max_message_bytes = 1048588;                  // max.message.bytes
    int64_t segment_bytes = 1073741824;                   // segment.bytes
    timestamp_type message_timestamp_type = timestamp_type::create_time;  // message.timestamp.type
    int64_t timestamp_before_max_ms = INT64_MAX;          // message.timestamp.before.max.ms
    int64_t timestamp_after_max_ms = INT64_MAX;           // message.timestamp.after.max.ms
    bool compacted = false;                               // cleanup.policy contains compact
    int64_t now_ms = 0;                                   // the broker's clock, for both checks
    // Kafka's client-only batch rules (offset range and record count agree, no control
    // batch, a sequence with a producer id) are skipped for a coordinator's own batch.
    bool from_client = true;
    // Eddy's own bound on a compressed batch's decompressed size (Kafka has none).
    size_t max_uncompressed_bytes = 64u << 20;
    batch_validation validation = batch_validation::strict;
};

// Kafka's rule for the deprecated message.timestamp.difference.max.ms: a before/after
// bound left at its default (Long.MAX_VALUE) takes the difference's value instead.
inline int64_t effective_timestamp_bound(int64_t before_or_after, int64_t difference) {
    return before_or_after != INT64_MAX ? before_or_after : difference;
}

// One entry of ProduceResponse v8+'s RecordErrors.
struct record_error {
    int32_t batch_index;  // position of the record in its batch
    std::string message;
};

// What the log needs to append the batch without parsing it again.
struct batch_summary {
    int32_t record_count = 0;
    int32_t last_offset_delta = -1;
    int64_t max_timestamp = no_timestamp;       // as stored after validation
    int32_t max_timestamp_offset_delta = -1;    // record holding max_timestamp (the last if unread)
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    int32_t base_sequence = no_sequence;
    bool is_transactional = false;
    compression codec = compression::none;
    timestamp_type ts_type = timestamp_type::create_time;
};

struct produce_validation {
    error_code error = error_code::none;
    std::string error_message;               // ProduceResponse ErrorMessage (v8+)
    std::vector<record_error> record_errors;  // only for INVALID_RECORD / INVALID_TIMESTAMP
    // The bytes to append: the one batch, from offset 0. Kafka drops a trailing
    // partial batch silently, so this may be less than the input size.
    size_t valid_bytes = 0;
    batch_summary batch;
    int64_t record_count = 0;
    int64_t log_append_time = no_timestamp;  // now_ms under LogAppendTime, else -1

    bool ok() const { return error == error_code::none; }
};

// Validates a partition's `records` bytes from a Produce request (v0-v2 ones as
// converted by convert_legacy_message_set, or a magic-2 batch they carried), in
// Kafka's order, and on success rewrites in place what Kafka's leader rewrites
// inside the CRC: maxTimestamp and the timestamp-type bit (max record timestamp
// under CreateTime, now_ms under LogAppendTime), with the CRC recomputed. The base
// offset and partition leader epoch (outside the CRC) are left to the log
// (mutable_batch_view::set_base_offset / set_partition_leader_epoch). On error the
// bytes are not modified. Errors, first match wins:
//   no complete batch, magic 0/1, more than one batch           INVALID_RECORD
//   batchLength < 14, magic < 0 or > 2 (in either batch)        CORRUPT_MESSAGE
//   zstd with api_version < 7                                   UNSUPPORTED_COMPRESSION_TYPE
//   baseOffset != 0                                             INVALID_RECORD
//   batch size > max_message_bytes                              MESSAGE_TOO_LARGE
//   batch shorter than its header, CRC mismatch                 CORRUPT_MESSAGE
//   compression id 5-7                                          UNKNOWN_SERVER_ERROR
//   lastOffsetDelta < 0, count <= 0, count != lastOffsetDelta+1,
//   control batch, producerId >= 0 with baseSequence < 0        INVALID_RECORD
//   payload fails to decompress (corrupt, truncated)            UNKNOWN_SERVER_ERROR
//   decompressed size > max_uncompressed_bytes                  MESSAGE_TOO_LARGE
//   relaxed, records not read: framing not whole                UNKNOWN_SERVER_ERROR
//   relaxed, records not read: more records than the payload
//   can decompress to                                           INVALID_RECORD
//   a record malformed, record count mismatch, offset delta
//   not equal to the record's index                             INVALID_RECORD
//   per-record: key missing on a compacted topic                INVALID_RECORD + record_errors
//   per-record: timestamp (not -1) outside [now-before, now+after]
//   under CreateTime; or the batch has the LogAppendTime bit and
//   the record was not range-checked (LogAppendTime topic, or
//   timestamp -1)                                               INVALID_TIMESTAMP + record_errors
//   batch size > segment_bytes                                  RECORD_LIST_TOO_LARGE
// Where Kafka would behave otherwise, batch_format.md says so. `scratch` holds the
// decompressed records, when validation read them, and is reused across calls (bounded
// by max_uncompressed_bytes). No allocation per record. Lives on: the caller's thread.
produce_validation validate_produce_batches(uint8_t* data, size_t size,
                                           const produce_options& opts, byte_buffer& scratch);

// The first of those checks alone, which Kafka makes in KafkaApis (ProduceRequest.
// validateRecords) for Produce v3+ before ReplicaManager looks at acks or leadership:
// exactly one complete magic-2 batch, and no zstd below v7. Reads only batch headers.
produce_validation validate_produce_request_records(const uint8_t* data, size_t size, int16_t api_version);

}  // namespace eddy::record
