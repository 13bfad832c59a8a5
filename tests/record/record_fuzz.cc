// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record_fuzz.h"

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "record/batch.h"
#include "record/compression.h"
#include "record/endian.h"
#include "record/legacy_message_set.h"
#include "record/records.h"
#include "record/validate.h"

namespace eddy::record::test {
namespace {

constexpr size_t fuzz_limit = 1 << 20;

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "record fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

void read_records(const batch_view& b, byte_buffer& scratch) {
    record_bytes rb = batch_records(b, scratch, fuzz_limit);
    if (rb.status != codec_status::ok) return;
    record_reader reader(rb.data, rb.size, b.records_count());
    record_view v;
    while (reader.next(v) == record_status::ok) {
        header_reader h = v.headers();
        header_view hv;
        int32_t n = 0;
        while (h.next(hv)) ++n;
        require(n == v.header_count, "header count of a parsed record");
    }
}

// Produce validation (both timestamp types, strict and relaxed) and the scanner with
// record parsing.
void parse_all(const uint8_t* data, size_t size, byte_buffer& scratch);
// Produce v0-v2: the legacy conversion, whose output must pass v3+ validation.
void convert_legacy(const uint8_t* data, size_t size, byte_buffer& scratch);

}  // namespace

void exercise_record_bytes(const uint8_t* data, size_t size) {
    thread_local byte_buffer scratch;
    parse_all(data, size, scratch);
    // The CRC stops almost every mutation at the door; an honest length and CRC let
    // the fuzzer reach the codecs and the record parser behind it.
    if (size >= batch_header_size) {
        std::vector<uint8_t> fixed(data, data + size);
        be::store32(fixed.data() + field::batch_length, static_cast<uint32_t>(size - log_overhead));
        fixed[field::magic] = static_cast<uint8_t>(current_magic);
        mutable_batch_view(fixed.data(), size).update_crc();
        parse_all(fixed.data(), fixed.size(), scratch);
    }
    convert_legacy(data, size, scratch);
    // The same door for a legacy message: one entry with an honest size and CRC-32.
    if (size >= log_overhead + 14) {
        std::vector<uint8_t> fixed(data, data + size);
        be::store32(fixed.data() + field::batch_length, static_cast<uint32_t>(size - log_overhead));
        fixed[field::magic] &= 1;
        uLong crc = crc32(crc32(0L, Z_NULL, 0), fixed.data() + field::magic,
                          static_cast<uInt>(size - field::magic));
        be::store32(fixed.data() + log_overhead, static_cast<uint32_t>(crc));
        convert_legacy(fixed.data(), fixed.size(), scratch);
    }

    for (compression c : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        codec_status s = decompress(c, data, size, scratch, fuzz_limit);
        require(s != codec_status::ok || scratch.size() <= fuzz_limit, "output within the limit");
        require(scratch.capacity() <= fuzz_limit, "no allocation past the limit");
        // Relaxed validation trusts this bound to refuse impossible record counts.
        framing f = check_framing(c, data, size, fuzz_limit);
        require(s != codec_status::ok || f.status != codec_status::ok || scratch.size() <= f.max_decompressed,
                "framing bounds what the stream decompresses to");
    }
}

namespace {

void parse_all(const uint8_t* data, size_t size, byte_buffer& scratch) {
    for (int mode = 0; mode < 4; ++mode) {
        std::vector<uint8_t> copy(data, data + size);
        produce_options o;
        o.message_timestamp_type = mode % 2 == 0 ? timestamp_type::create_time : timestamp_type::log_append_time;
        o.validation = mode < 2 ? batch_validation::strict : batch_validation::relaxed;
        o.now_ms = 1'700'000'000'000;
        o.compacted = size % 2 == 0;
        o.max_uncompressed_bytes = fuzz_limit;
        produce_validation r = validate_produce_batches(copy.data(), copy.size(), o, scratch);
        if (r.ok()) {
            require(r.valid_bytes >= batch_header_size && r.valid_bytes <= size, "valid bytes");
            batch_view v(copy.data(), r.valid_bytes);
            require(v.crc_ok(), "validated batch keeps a correct CRC");
            require(r.record_count == v.records_count(), "record count");
        } else {
            require(std::vector<uint8_t>(data, data + size) == copy, "rejected bytes unchanged");
        }
    }

    batch_scanner scan(data, size);
    batch_view b;
    while (scan.next(b) == scan_status::ok) {
        require(b.crc_ok(), "scanner returned a batch with a bad CRC");
        read_records(b, scratch);
    }
    require(scan.position() <= size, "scanner position inside the input");
}

void convert_legacy(const uint8_t* data, size_t size, byte_buffer& scratch) {
    legacy_options lo;
    lo.max_uncompressed_bytes = fuzz_limit;
    legacy_conversion c = convert_legacy_message_set(data, size, lo, scratch);
    if (!c.ok() || c.batch.empty()) return;
    produce_options o;
    o.api_version = 2;
    o.max_message_bytes = INT32_MAX;
    o.max_uncompressed_bytes = 4 * fuzz_limit;
    o.now_ms = 1'700'000'000'000;
    produce_validation r = validate_produce_batches(c.batch.data(), c.batch.size(), o, scratch);
    // Only a client's LogAppendTime bit may still be refused, as Kafka refuses it.
    require(r.ok() || r.error == error_code::invalid_timestamp,
            "a converted legacy set passes magic-2 validation");
    require(!r.ok() || r.record_count == c.record_count, "converted record count");
}

}  // namespace

}  // namespace eddy::record::test
