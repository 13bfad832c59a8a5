// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/legacy_message_set.h"

#include <zlib.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>

#include "record/endian.h"
#include "record/plain_batch.h"

namespace eddy::record {
namespace {

// Offsets inside one legacy message (after the entry's offset and size fields).
namespace legacy {
inline constexpr size_t crc = 0;         // uint32, CRC-32 (IEEE) of magic..end
inline constexpr size_t magic = 4;       // int8
inline constexpr size_t attributes = 5;  // int8
inline constexpr size_t timestamp = 6;   // int64, magic 1 only
inline constexpr size_t key_v0 = 6;      // int32 length, then bytes
inline constexpr size_t key_v1 = 14;
inline constexpr int32_t min_size = 14;  // Kafka's RECORD_OVERHEAD_V0
inline constexpr uint8_t codec_mask = 0x07;
inline constexpr uint8_t log_append_time = 0x08;
}  // namespace legacy

// Kafka's CorruptRecordException, InvalidRecordException and the like: stops the request.
legacy_conversion reject(error_code e, std::string message) {
    legacy_conversion r;
    r.error = e;
    r.error_message = std::move(message);
    return r;
}

// One complete entry: offset, and the message (crc..end) it frames.
struct entry {
    int64_t offset;
    const uint8_t* msg;
    int32_t size;

    int8_t magic() const { return static_cast<int8_t>(msg[legacy::magic]); }
    uint8_t codec() const { return msg[legacy::attributes] & legacy::codec_mask; }
    bool log_append_time() const {
        return magic() == 1 && (msg[legacy::attributes] & legacy::log_append_time) != 0;
    }
    bool crc_ok() const {
        uLong c = crc32(0L, Z_NULL, 0);
        c = crc32(c, msg + legacy::magic, static_cast<uInt>(size - legacy::magic));
        return static_cast<uint32_t>(c) == be::load32(msg + legacy::crc);
    }
};

// Kafka's entry iterators over a message set: `none` at a partial tail.
enum class step { entry, none, corrupt };

step next_entry(const uint8_t* p, size_t remaining, entry& out, bool outer, std::string& why) {
    if (remaining < log_overhead) return step::none;
    auto size = static_cast<int32_t>(be::load32(p + field::batch_length));
    if (size < legacy::min_size) {
        why = fmt::format("record size {} is less than the minimum record overhead ({})", size,
                          legacy::min_size);
        return step::corrupt;
    }
    if (outer) {
        // The outer iterator reads the magic before the whole entry is there.
        if (remaining <= field::magic) return step::none;
        auto magic = static_cast<int8_t>(p[field::magic]);
        if (magic < 0 || magic > current_magic) {
            why = "invalid magic in record batch";
            return step::corrupt;
        }
    }
    if (remaining - log_overhead < static_cast<size_t>(size)) return step::none;
    out = {static_cast<int64_t>(be::load64(p)), p + log_overhead, size};
    return step::entry;
}

// A length-prefixed field inside a message; nullopt = null (Kafka: any negative length).
struct field_read {
    bool ok;
    std::optional<std::span<const uint8_t>> bytes;
    size_t next;
};

field_read read_sized(const entry& e, size_t at) {
    if (at + 4 > static_cast<size_t>(e.size)) return {false, std::nullopt, at};
    auto n = static_cast<int32_t>(be::load32(e.msg + at));
    at += 4;
    if (n < 0) return {true, std::nullopt, at};
    if (static_cast<size_t>(n) > static_cast<size_t>(e.size) - at) return {false, std::nullopt, at};
    return {true, std::span<const uint8_t>(e.msg + at, static_cast<size_t>(n)), at + static_cast<size_t>(n)};
}

// Key and value of `e` (magic 0 or 1) as a record with `timestamp`; nullopt when a length
// lies. The views point into the message.
std::optional<plain_record> as_record(const entry& e, int64_t timestamp) {
    field_read key = read_sized(e, e.magic() == 0 ? legacy::key_v0 : legacy::key_v1);
    if (!key.ok) return std::nullopt;
    field_read value = read_sized(e, key.next);
    if (!value.ok) return std::nullopt;
    return plain_record{key.bytes, value.bytes, timestamp};
}

// The magic-2 batch of the converted messages: Kafka's MemoryRecordsBuilder for a
// converted set (no producer, base offset 0; the validator and the log fill in the rest).
legacy_conversion converted(std::span<const plain_record> records, compression codec, bool log_append_time) {
    plain_batch_header header;
    header.codec = codec;
    header.log_append_time = log_append_time;
    legacy_conversion out;
    out.codec = codec;
    out.record_count = static_cast<int32_t>(records.size());
    out.batch = encode_plain_batch(header, records);
    return out;
}

// xxHash32 with seed 0 for inputs shorter than 16 bytes (an LZ4 frame descriptor is at
// most 14), from the published algorithm.
uint32_t xxh32_short(const uint8_t* p, size_t n) {
    constexpr uint32_t p1 = 2654435761U, p2 = 2246822519U, p3 = 3266489917U, p4 = 668265263U,
                       p5 = 374761393U;
    auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
    uint32_t h = p5 + static_cast<uint32_t>(n);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t v = static_cast<uint32_t>(p[i]) | static_cast<uint32_t>(p[i + 1]) << 8 |
                     static_cast<uint32_t>(p[i + 2]) << 16 | static_cast<uint32_t>(p[i + 3]) << 24;
        h = rotl(h + v * p3, 17) * p4;
    }
    for (; i < n; ++i) h = rotl(h + p[i] * p5, 11) * p1;
    h ^= h >> 15;
    h *= p2;
    h ^= h >> 13;
    h *= p3;
    h ^= h >> 16;
    return h;
}

// Inflates a wrapper's value; a magic-0 lz4 frame gets its header checksum corrected first
// (Kafka reads those frames without checking it; liblz4 always checks).
codec_status inflate(const entry& wrapper, std::span<const uint8_t> value, byte_buffer& out,
                     size_t limit) {
    auto codec = static_cast<compression>(wrapper.codec());
    if (codec == compression::lz4 && wrapper.magic() == 0) {
        size_t pos = 0;
        int hc = lz4_header_checksum(value.data(), value.size(), &pos);
        if (hc >= 0 && value[pos] != hc) {
            std::vector<uint8_t> fixed(value.begin(), value.end());
            fixed[pos] = static_cast<uint8_t>(hc);
            return decompress(codec, fixed.data(), fixed.size(), out, limit);
        }
    }
    return decompress(codec, value.data(), value.size(), out, limit);
}

legacy_conversion convert_compressed(const entry& wrapper, const legacy_options& opts,
                                     byte_buffer& scratch) {
    const int8_t magic = wrapper.magic();
    if (wrapper.codec() == static_cast<uint8_t>(compression::zstd)) {
        return reject(error_code::invalid_record,
                    "invalid wrapper compression type found in legacy deep record iterator");
    }
    field_read key = read_sized(wrapper, magic == 0 ? legacy::key_v0 : legacy::key_v1);
    field_read value = key.ok ? read_sized(wrapper, key.next) : key;
    if (!value.ok) return reject(error_code::corrupt_message, "message key or value overruns the message");
    if (!value.bytes) {
        return reject(error_code::invalid_record, "found invalid compressed record set with null value");
    }
    switch (inflate(wrapper, *value.bytes, scratch, opts.max_uncompressed_bytes)) {
    case codec_status::ok: break;
    case codec_status::too_large:
        return reject(error_code::message_too_large, "compressed message set inflates past the broker's limit");
    default:
        return reject(error_code::unknown_server_error, "compressed message set does not decompress");
    }
    // Kafka's deep iterator reads every inner entry before handing out the first.
    const uint8_t* p = scratch.data();
    const size_t total = scratch.size();
    size_t pos = 0;
    int32_t inner_count = 0;
    int64_t last_inner_offset = 0;
    entry e{};
    std::string why;
    for (;;) {
        step s = next_entry(p + pos, total - pos, e, false, why);
        if (s == step::corrupt) return reject(error_code::corrupt_message, why);
        if (s == step::none) break;
        ++inner_count;
        last_inner_offset = e.offset;
        pos += log_overhead + static_cast<size_t>(e.size);
    }
    if (inner_count == 0) {
        return reject(error_code::invalid_record, "found invalid compressed record set with no inner records");
    }
    if (magic == 1 && wrapper.offset != 0 && wrapper.offset < last_inner_offset) {
        return reject(error_code::invalid_record,
                    fmt::format("wrapper offset {} is less than the last inner message offset {} "
                                "and it is not zero",
                                wrapper.offset, last_inner_offset));
    }
    const int64_t wrapper_ts =
        magic == 1 ? static_cast<int64_t>(be::load64(wrapper.msg + legacy::timestamp)) : no_timestamp;
    legacy_conversion rejected;  // collects INVALID_RECORD record errors
    std::vector<plain_record> records;
    pos = 0;
    for (int32_t i = 0; i < inner_count; ++i) {
        next_entry(p + pos, total - pos, e, false, why);
        pos += log_overhead + static_cast<size_t>(e.size);
        if (e.codec() != 0) return reject(error_code::invalid_record, "inner messages must not be compressed");
        if (e.magic() != magic) {
            rejected.record_errors.push_back(
                {i, fmt::format("record's magic {} does not match outer magic {}", e.magic(), magic)});
            continue;
        }
        if (!e.crc_ok()) return reject(error_code::corrupt_message, "inner record is corrupt (CRC mismatch)");
        if (!rejected.record_errors.empty()) continue;  // Kafka stops keeping records after an error
        int64_t ts = no_timestamp;
        if (magic == 1) {
            ts = wrapper.log_append_time() ? wrapper_ts
                                           : static_cast<int64_t>(be::load64(e.msg + legacy::timestamp));
        }
        std::optional<plain_record> r = as_record(e, ts);
        if (!r) return reject(error_code::corrupt_message, "message key or value overruns the message");
        records.push_back(*r);
    }
    if (!rejected.record_errors.empty()) {
        rejected.error = error_code::invalid_record;
        rejected.error_message = fmt::format(
            "One or more records have been rejected due to {} record errors", rejected.record_errors.size());
        return rejected;
    }
    return converted(records, static_cast<compression>(wrapper.codec()), wrapper.log_append_time());
}

}  // namespace

int lz4_header_checksum(const uint8_t* frame, size_t n, size_t* checksum_pos) {
    constexpr uint32_t frame_magic = 0x184D2204;
    if (n < 7) return -1;
    uint32_t m = static_cast<uint32_t>(frame[0]) | static_cast<uint32_t>(frame[1]) << 8 |
                 static_cast<uint32_t>(frame[2]) << 16 | static_cast<uint32_t>(frame[3]) << 24;
    if (m != frame_magic) return -1;
    const uint8_t flg = frame[4];
    size_t descriptor = 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
    if (n < 4 + descriptor + 1) return -1;
    *checksum_pos = 4 + descriptor;
    return static_cast<int>((xxh32_short(frame + 4, descriptor) >> 8) & 0xFF);
}

legacy_conversion convert_legacy_message_set(const uint8_t* data, size_t size,
                                             const legacy_options& opts, byte_buffer& scratch) {
    // Pass 1, UnifiedLog.analyzeAndValidateRecords: every shallow entry's size, CRC, codec.
    size_t pos = 0;
    int32_t entries = 0;
    uint8_t source_codec = 0;
    entry first{};
    bool mixed_magic = false;
    std::string why;
    for (;;) {
        entry e{};
        step s = next_entry(data + pos, size - pos, e, true, why);
        if (s == step::corrupt) return reject(error_code::corrupt_message, why);
        if (s == step::none) break;
        const size_t entry_size = log_overhead + static_cast<size_t>(e.size);
        if (entry_size > static_cast<size_t>(std::max(opts.max_message_bytes, 0))) {
            return reject(error_code::message_too_large,
                        fmt::format("message set entry of {} bytes is larger than max.message.bytes {}",
                                    entry_size, opts.max_message_bytes));
        }
        if (e.magic() <= 1) {
            if (!e.crc_ok()) return reject(error_code::corrupt_message, "record is corrupt (CRC mismatch)");
            if (e.codec() > static_cast<uint8_t>(compression::zstd)) {
                return reject(error_code::unknown_server_error,
                            fmt::format("unknown compression type id {}", e.codec()));
            }
            if (e.codec() != 0) source_codec = e.codec();
        }
        if (entries == 0) first = e;
        else if (e.magic() != first.magic()) mixed_magic = true;
        ++entries;
        pos += entry_size;
    }
    if (entries == 0) return {};
    // Pass 2, LogValidator.
    if (source_codec != 0 && entries > 1) {
        return reject(error_code::invalid_record, "compressed outer record has more than one batch");
    }
    if (mixed_magic) {
        return reject(error_code::invalid_record, "batch magic is not the same as the first batch's magic");
    }
    if (source_codec != 0) return convert_compressed(first, opts, scratch);
    // Uncompressed: every entry is one message of its own.
    std::vector<plain_record> records;
    bool log_append_time = false;
    pos = 0;
    for (int32_t i = 0; i < entries; ++i) {
        entry e{};
        next_entry(data + pos, size - pos, e, true, why);
        pos += log_overhead + static_cast<size_t>(e.size);
        int64_t ts = e.magic() == 1 ? static_cast<int64_t>(be::load64(e.msg + legacy::timestamp)) : no_timestamp;
        log_append_time = log_append_time || e.log_append_time();
        std::optional<plain_record> r = as_record(e, ts);
        if (!r) return reject(error_code::corrupt_message, "message key or value overruns the message");
        records.push_back(*r);
    }
    return converted(records, compression::none, log_append_time);
}

}  // namespace eddy::record
