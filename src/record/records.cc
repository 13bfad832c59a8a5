// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/records.h"

#include "record/varint.h"

namespace eddy::record {
namespace {

// Reads a length-prefixed nullable byte string; a negative length is null, as in
// Kafka's Utils.readBytes. Inlined: it runs several times per record.
[[gnu::always_inline]] inline bool read_bytes(const uint8_t*& p, const uint8_t* end, bytes_view& out) {
    int32_t n;
    if (!varint::read32(p, end, n)) return false;
    if (n < 0) {
        out = {nullptr, -1};
        return true;
    }
    if (static_cast<size_t>(end - p) < static_cast<size_t>(n)) return false;
    out = {p, n};
    p += n;
    return true;
}

}  // namespace

bool header_reader::next(header_view& out) {
    if (left_ <= 0) return false;
    --left_;
    // The record reader validated these bytes, so the reads cannot fail; guard anyway.
    if (!read_bytes(p_, end_, out.key) || !read_bytes(p_, end_, out.value)) {
        left_ = 0;
        return false;
    }
    return true;
}

record_status record_reader::fail(std::string_view why) {
    failed_ = true;
    reason_ = why;
    return record_status::malformed;
}

record_status record_reader::next(record_view& out) {
    if (failed_) return record_status::malformed;
    if (left_ < 0) return fail("negative record count");
    if (left_ == 0) {
        if (p_ != end_) return fail("bytes remain after the declared record count");
        return record_status::end;
    }
    if (p_ == end_) return fail("fewer records than the declared count");

    int32_t body;
    if (!varint::read32(p_, end_, body)) return fail("bad record length varint");
    if (body < 0 || static_cast<size_t>(end_ - p_) < static_cast<size_t>(body)) {
        return fail("record length exceeds the batch");
    }
    // Every field must fit inside the body; the body must be used up exactly.
    const uint8_t* p = p_;
    const uint8_t* end = p_ + body;
    if (p == end) return fail("empty record body");
    out.body_size = body;
    out.attributes = static_cast<int8_t>(*p++);
    if (!varint::read64(p, end, out.timestamp_delta)) return fail("bad timestamp delta");
    if (!varint::read32(p, end, out.offset_delta)) return fail("bad offset delta");
    if (!read_bytes(p, end, out.key)) return fail("bad record key");
    if (!read_bytes(p, end, out.value)) return fail("bad record value");
    if (!varint::read32(p, end, out.header_count)) return fail("bad header count");
    if (out.header_count < 0) return fail("negative header count");
    // Each header takes at least two bytes, so a count beyond that cannot be honest.
    if (static_cast<size_t>(out.header_count) > static_cast<size_t>(end - p) / 2) {
        return fail("header count exceeds the record");
    }
    out.headers_data = p;
    for (int32_t i = 0; i < out.header_count; ++i) {
        bytes_view k, v;
        if (!read_bytes(p, end, k) || k.is_null()) return fail("bad header key");
        if (!read_bytes(p, end, v)) return fail("bad header value");
    }
    out.headers_size = static_cast<size_t>(p - out.headers_data);
    if (p != end) return fail("record length does not match its fields");
    p_ = end;
    --left_;
    ++read_;
    return record_status::ok;
}

record_bytes batch_records(const batch_view& batch, byte_buffer& scratch, size_t limit) {
    if (batch.compression_type() == compression::none) {
        return {codec_status::ok, batch.records_data(), batch.records_size()};
    }
    codec_status s = decompress(batch.compression_type(), batch.records_data(),
                                batch.records_size(), scratch, limit);
    if (s != codec_status::ok) return {s, nullptr, 0};
    return {s, scratch.data(), scratch.size()};
}

}  // namespace eddy::record
