// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/validate.h"

#include <fmt/format.h>

#include "record/endian.h"
#include "record/records.h"
#include "record/wrapping.h"

namespace eddy::record {
namespace {

// Kafka turns a codec's IOException into a KafkaException that ReplicaManager
// reports as UNKNOWN_SERVER_ERROR; kept in one place in case Eddy ever prefers
// CORRUPT_MESSAGE.
constexpr error_code undecodable_payload = error_code::unknown_server_error;

// Kafka's ByteBufferLogInputStream.nextBatchSize: what a batch iterator over a
// Produce partition's bytes sees at `p`.
enum class peek { none, batch, corrupt };
struct peeked {
    peek kind;
    size_t size;
    std::string_view why;
};

peeked peek_batch(const uint8_t* p, size_t remaining) {
    if (remaining < log_overhead) return {peek::none, 0, {}};
    auto length = static_cast<int32_t>(be::load32(p + field::batch_length));
    if (length < min_any_magic_batch_length) {
        return {peek::corrupt, 0, "record batch length is below the minimum record overhead"};
    }
    if (remaining <= field::magic) return {peek::none, 0, {}};
    auto magic = static_cast<int8_t>(p[field::magic]);
    if (magic < 0 || magic > current_magic) return {peek::corrupt, 0, "invalid magic in record batch"};
    size_t total = log_overhead + static_cast<size_t>(length);
    if (remaining < total) return {peek::none, 0, {}};
    return {peek::batch, total, {}};
}

produce_validation fail(error_code e, std::string message) {
    produce_validation r;
    r.error = e;
    r.error_message = std::move(message);
    return r;
}

// LogValidator.validateTimestamp for one record; false when the record passes. The
// messages are Kafka's (a Java producer shows them); a produced batch's base offset is 0,
// so a record's offset there is its index.
bool timestamp_error(timestamp_type batch_ts_type, int64_t ts, int32_t offset, const produce_options& o,
                     std::string& message) {
    if (o.message_timestamp_type == timestamp_type::create_time && ts != no_timestamp) {
        int64_t diff = wrapping_sub(o.now_ms, ts);
        if (diff > o.timestamp_before_max_ms || wrapping_sub(0, diff) > o.timestamp_after_max_ms) {
            message = fmt::format(
                "Timestamp {} of message with offset {} is out of range. The timestamp should be within [{}, {}]",
                ts, offset, wrapping_sub(o.now_ms, o.timestamp_before_max_ms),
                wrapping_add(o.now_ms, o.timestamp_after_max_ms));
            return true;
        }
    } else if (batch_ts_type == timestamp_type::log_append_time) {
        message = fmt::format("Invalid timestamp type in message with offset {}. Producer should not set "
                              "timestamp type to LogAppendTime.",
                              offset);
        return true;
    }
    return false;
}

// LogValidator.validateBatch for a batch from a client.
std::string_view batch_rule_violation(const batch_view& b) {
    int64_t count_from_offsets = int64_t{b.last_offset_delta()} + 1;
    if (count_from_offsets <= 0) return "batch has an invalid offset range";
    if (b.records_count() <= 0) return "batch has an invalid record count";
    if (count_from_offsets != b.records_count()) {
        return "batch offset range and record count disagree";
    }
    if (b.is_control()) return "clients are not allowed to write control records";
    if (b.has_producer_id() && b.base_sequence() < 0) {
        return "batch with a producer id has an invalid sequence number";
    }
    return {};
}

struct record_scan {
    int64_t max_timestamp = no_timestamp;
    int32_t max_timestamp_delta = -1;
    bool any_timestamp_error = false;
};

// The smallest record a batch can hold: one byte each for its length, attributes,
// timestamp delta, offset delta, key length, value length and header count.
constexpr uint64_t min_record_size = 7;

// Under batch_validation::relaxed, whether this batch's records are read all the same.
bool records_needed(const batch_view& b, const produce_options& o) {
    if (o.validation == batch_validation::strict) return true;
    const compression codec = b.compression_type();
    if (codec != compression::lz4 && codec != compression::zstd) return true;
    if (o.compacted) return true;
    if (b.ts_type() == timestamp_type::log_append_time) return true;
    if (o.message_timestamp_type == timestamp_type::create_time) {
        if (o.timestamp_before_max_ms != INT64_MAX || o.timestamp_after_max_ms != INT64_MAX) return true;
        // Kafka's leader stamps the largest record timestamp; a producer's header that
        // cannot be that maximum is not trusted.
        if (b.base_timestamp() == no_timestamp || b.max_timestamp() < b.base_timestamp()) return true;
    }
    return false;
}

// Steps 5 and 6 below, once the records passed (or were vouched for by the header).
produce_validation accept(mutable_batch_view& batch, size_t total, const produce_options& opts,
                          record_scan scan) {
    // 5. The log's own limit, checked after validation as UnifiedLog.append does.
    if (static_cast<int64_t>(total) > opts.segment_bytes) {
        return fail(error_code::record_list_too_large,
                    fmt::format("record batch of {} bytes exceeds segment.bytes {}", total, opts.segment_bytes));
    }

    // 6. Accepted: stamp maxTimestamp as Kafka's leader does.
    produce_validation result;
    if (opts.message_timestamp_type == timestamp_type::log_append_time) {
        batch.set_max_timestamp(timestamp_type::log_append_time, opts.now_ms);
        result.log_append_time = opts.now_ms;
        scan.max_timestamp = opts.now_ms;
        scan.max_timestamp_delta = batch.last_offset_delta();
    } else {
        batch.set_max_timestamp(timestamp_type::create_time, scan.max_timestamp);
    }
    result.valid_bytes = total;
    result.record_count = batch.records_count();
    batch_summary& s = result.batch;
    s.record_count = batch.records_count();
    s.last_offset_delta = batch.last_offset_delta();
    s.max_timestamp = scan.max_timestamp;
    s.max_timestamp_offset_delta = scan.max_timestamp_delta;
    s.producer_id = batch.producer_id();
    s.producer_epoch = batch.producer_epoch();
    s.base_sequence = batch.base_sequence();
    s.is_transactional = batch.is_transactional();
    s.codec = batch.compression_type();
    s.ts_type = batch.ts_type();
    return result;
}

// Relaxed validation of a batch whose records stay compressed: the framing must be
// whole and able to hold the records the header counts; the header's maxTimestamp
// stands for the records' (records_needed checked it is one).
produce_validation accept_unread(mutable_batch_view& batch, size_t total, const produce_options& opts) {
    const compression codec = batch.compression_type();
    framing f = check_framing(codec, batch.records_data(), batch.records_size(), opts.max_uncompressed_bytes);
    if (f.status != codec_status::ok) {
        return fail(undecodable_payload,
                    fmt::format("the {} payload of the record batch is cut short or malformed", to_string(codec)));
    }
    if (static_cast<uint64_t>(batch.records_count()) > f.max_decompressed / min_record_size) {
        return fail(error_code::invalid_record,
                    fmt::format("record batch counts {} records but decompresses to at most {} bytes",
                                batch.records_count(), f.max_decompressed));
    }
    record_scan scan;
    scan.max_timestamp = batch.max_timestamp();
    scan.max_timestamp_delta = batch.last_offset_delta();
    return accept(batch, total, opts, scan);
}

}  // namespace

produce_validation validate_produce_request_records(const uint8_t* data, size_t size, int16_t api_version) {
    peeked first = peek_batch(data, size);
    if (first.kind == peek::corrupt) return fail(error_code::corrupt_message, std::string(first.why));
    if (first.kind == peek::none) {
        return fail(error_code::invalid_record, "produce requests must have one record batch per partition");
    }
    if (static_cast<int8_t>(data[field::magic]) != current_magic) {
        return fail(error_code::invalid_record, "produce requests v3+ only allow magic 2 record batches");
    }
    auto codec_bits = static_cast<uint8_t>(data[field::attributes + 1] & attr::compression_mask);
    if (api_version < 7 && codec_bits > static_cast<uint8_t>(compression::zstd)) {
        return fail(error_code::unknown_server_error, "unknown compression type id");
    }
    if (api_version < 7 && codec_bits == static_cast<uint8_t>(compression::zstd)) {
        return fail(error_code::unsupported_compression_type,
                    "produce requests below v7 are not allowed to use zstd");
    }
    peeked second = peek_batch(data + first.size, size - first.size);
    if (second.kind == peek::corrupt) return fail(error_code::corrupt_message, std::string(second.why));
    if (second.kind == peek::batch) {
        return fail(error_code::invalid_record, "produce requests v3+ allow exactly one record batch per partition");
    }
    produce_validation ok;
    ok.valid_bytes = first.size;
    return ok;
}

produce_validation validate_produce_batches(uint8_t* data, size_t size,
                                           const produce_options& opts, byte_buffer& scratch) {
    // 1. ProduceRequest.validateRecords: exactly one complete magic-2 batch.
    produce_validation request = validate_produce_request_records(data, size, opts.api_version);
    if (!request.ok()) return request;

    // 2. UnifiedLog.analyzeAndValidateRecords: base offset, size, CRC, codec id.
    const size_t total = request.valid_bytes;
    if (be::load64(data + field::base_offset) != 0) {
        return fail(error_code::invalid_record, "the base offset of a produced record batch must be 0");
    }
    if (total > static_cast<size_t>(std::max(opts.max_message_bytes, 0))) {
        return fail(error_code::message_too_large,
                    fmt::format("record batch of {} bytes exceeds max.message.bytes {}", total,
                                opts.max_message_bytes));
    }
    if (total < batch_header_size) return fail(error_code::corrupt_message, "record batch is shorter than its header");
    mutable_batch_view batch(data, total);
    if (!batch.crc_ok()) return fail(error_code::corrupt_message, "record batch CRC mismatch");
    if (!is_known(batch.compression_type())) return fail(error_code::unknown_server_error, "unknown compression type id");

    // 3. LogValidator.validateBatch.
    if (std::string_view why = opts.from_client ? batch_rule_violation(batch) : std::string_view{};
        !why.empty()) {
        return fail(error_code::invalid_record, std::string(why));
    }

    // 4. The records: structure aborts the batch; timestamps and keys are collected
    // per record, as Kafka's RecordErrors.
    if (!records_needed(batch, opts)) return accept_unread(batch, total, opts);
    record_bytes rb = batch_records(batch, scratch, opts.max_uncompressed_bytes);
    if (rb.status == codec_status::too_large) {
        return fail(error_code::message_too_large,
                    fmt::format("record batch decompresses to more than {} bytes", opts.max_uncompressed_bytes));
    }
    if (rb.status != codec_status::ok) {
        return fail(undecodable_payload, fmt::format("failed to decompress the {} record batch",
                                                     to_string(batch.compression_type())));
    }
    produce_validation result;
    record_scan scan;
    record_reader reader(rb.data, rb.size, batch.records_count());
    record_view rec;
    // Header fields read once, not per record: at 100-byte records the loop below runs
    // ten million times per GB.
    const timestamp_type ts_type = batch.ts_type();
    const int64_t base_timestamp = batch.base_timestamp();
    const int64_t append_time = batch.max_timestamp();
    for (int32_t index = 0;; ++index) {
        record_status s = reader.next(rec);
        if (s == record_status::end) break;
        if (s == record_status::malformed) {
            return fail(error_code::invalid_record, fmt::format("record {}: {}", index, reader.reason()));
        }
        if (rec.offset_delta != index) {
            return fail(error_code::invalid_record,
                        fmt::format("record {} has offset delta {}", index, rec.offset_delta));
        }
        int64_t ts = ts_type == timestamp_type::log_append_time
                         ? append_time
                         : wrapping_add(base_timestamp, rec.timestamp_delta);
        std::string message;
        if (opts.compacted && rec.key.is_null()) {
            result.record_errors.push_back({index, "compacted topic cannot accept a record without a key"});
        } else if (timestamp_error(ts_type, ts, index, opts, message)) {
            scan.any_timestamp_error = true;
            result.record_errors.push_back({index, std::move(message)});
        }
        if (ts > scan.max_timestamp) {
            scan.max_timestamp = ts;
            scan.max_timestamp_delta = index;
        }
    }
    if (!result.record_errors.empty()) {
        result.error = scan.any_timestamp_error ? error_code::invalid_timestamp : error_code::invalid_record;
        result.error_message =
            scan.any_timestamp_error
                ? std::string("One or more records have been rejected due to invalid timestamp")
                : fmt::format("One or more records have been rejected due to {} record errors; first: {}",
                              result.record_errors.size(), result.record_errors.front().message);
        return result;
    }

    return accept(batch, total, opts, scan);
}

}  // namespace eddy::record
