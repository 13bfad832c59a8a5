// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Parsing the records inside a magic-2 batch: views into the batch (or into the
// caller's decompression buffer), never copies, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "record/batch.h"
#include "record/compression.h"

namespace eddy::record {

// A nullable byte string inside a record: size -1 means null.
struct bytes_view {
    const uint8_t* data = nullptr;
    int32_t size = -1;

    bool is_null() const { return size < 0; }
    std::string_view str() const {
        return is_null() ? std::string_view{}
                         : std::string_view(reinterpret_cast<const char*>(data), size);
    }
};

struct header_view {
    bytes_view key;    // never null (a negative key length is malformed)
    bytes_view value;  // may be null
};

// Walks the headers of a record that record_reader already validated.
class header_reader {
public:
    header_reader() = default;
    header_reader(const uint8_t* data, size_t size, int32_t count)
        : p_(data), end_(data + size), left_(count) {}
    // False when there are no more headers.
    bool next(header_view& out);

private:
    const uint8_t* p_ = nullptr;
    const uint8_t* end_ = nullptr;
    int32_t left_ = 0;
};

// One record, as laid out in src/record/batch_format.md. Absolute offset and
// timestamp depend on the batch: base_offset + offset_delta, and base_timestamp +
// timestamp_delta (or the batch's maxTimestamp under LogAppendTime).
struct record_view {
    int32_t body_size = 0;  // the length varint: bytes after it
    int8_t attributes = 0;  // unused by Kafka so far
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    bytes_view key;
    bytes_view value;
    int32_t header_count = 0;
    const uint8_t* headers_data = nullptr;
    size_t headers_size = 0;

    header_reader headers() const { return {headers_data, headers_size, header_count}; }
};

// Outcome of one reader step.
enum class record_status {
    ok,         // a record was read
    end,        // the declared count was read and no bytes are left
    malformed,  // the bytes break the format; reason() says how (Kafka: INVALID_RECORD)
};

// Reads `count` records from [data, data + size) — the records section of an
// uncompressed batch, or the decompressed records of a compressed one. Checks what
// Kafka's DefaultRecord.readFrom checks: varints end within 5 (10 for varlong) bytes,
// the body fits and is consumed exactly by its fields, key/value/header lengths fit,
// header keys are not null, the header count is >= 0; and, as DefaultRecordBatch's
// iterator does, that the records end exactly where the bytes do. A negative count is
// malformed. Views returned point into the input bytes. Lives on: the calling thread.
class record_reader {
public:
    record_reader(const uint8_t* data, size_t size, int32_t count)
        : p_(data), end_(data + size), left_(count) {}

    record_status next(record_view& out);
    std::string_view reason() const { return reason_; }
    // Records read so far.
    int32_t read() const { return read_; }
    // Where the next record starts: after next() returned ok, the record read spans from
    // the previous position to this one (its length varint as written, which may be
    // longer than the shortest form).
    const uint8_t* position() const { return p_; }

private:
    record_status fail(std::string_view why);

    const uint8_t* p_;
    const uint8_t* end_;
    int32_t left_;
    int32_t read_ = 0;
    bool failed_ = false;
    std::string_view reason_;
};

// The record bytes of a batch, decompressing into `scratch` (bounded by `limit`) if
// the batch is compressed; for an uncompressed batch the result points into the
// batch and `scratch` is untouched. On failure returns the codec status and an empty
// span. The result is valid until `scratch` is reused or the batch bytes go away.
struct record_bytes {
    codec_status status = codec_status::ok;
    const uint8_t* data = nullptr;
    size_t size = 0;
};
record_bytes batch_records(const batch_view& batch, byte_buffer& scratch, size_t limit);

}  // namespace eddy::record
