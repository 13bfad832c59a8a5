// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record_fuzz.h"

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "batch_builder.h"
#include "record/batch.h"
#include "record/compression.h"
#include "record/endian.h"
#include "record/legacy_message_set.h"
#include "record/records.h"
#include "record/recompress.h"
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

// compression.type: a topic whose codec differs from the producer's rebuilds each batch
// that validation accepted. The rebuilt batch must pass validation again and hold the same
// records (offset deltas, timestamps, keys, values, headers) in every codec.
void rebuild_in_every_codec(const batch_view& validated, byte_buffer& scratch);

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
            // A client's LogAppendTime bit is refused on a second pass, so only CreateTime.
            if (o.validation == batch_validation::strict && v.ts_type() == timestamp_type::create_time)
                rebuild_in_every_codec(v, scratch);
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

void rebuild_in_every_codec(const batch_view& validated, byte_buffer& scratch) {
    thread_local batch_recompressor recompressor;
    thread_local byte_buffer again_scratch;
    // decode_records throws (so the fuzzer stops) if a validated batch does not decode.
    const std::vector<decoded_record> before =
        decode_records(std::span<const uint8_t>(validated.data(), validated.size()));
    // Decompressed once for every target; nothing below reuses `scratch`.
    const record_bytes records = batch_records(validated, scratch, fuzz_limit);
    for (compression target : all_codecs) {
        if (!needs_recompression(validated, target)) continue;
        std::span<uint8_t> rebuilt = recompressor.rebuild(validated, records, target, default_level(target));
        if (rebuilt.empty()) continue;  // the codec library failed; Kafka would fail the append
        std::vector<uint8_t> copy(rebuilt.begin(), rebuilt.end());
        produce_options o;
        o.max_message_bytes = INT32_MAX;
        o.now_ms = 1'700'000'000'000;
        o.max_uncompressed_bytes = fuzz_limit;
        produce_validation r = validate_produce_batches(copy.data(), copy.size(), o, again_scratch);
        require(r.ok(), "a rebuilt batch passes validation");
        require(r.valid_bytes == copy.size(), "a rebuilt batch is one whole batch");
        batch_view b(copy.data(), r.valid_bytes);
        require(b.compression_type() == target, "a rebuilt batch is in the topic's codec");
        require(decode_records(std::span<const uint8_t>(b.data(), b.size())) == before,
                "a rebuilt batch keeps its records");
    }
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
