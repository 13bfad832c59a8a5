// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "batch_builder.h"

#include <algorithm>
#include <stdexcept>

#include "record/compression.h"
#include "record/endian.h"
#include "record/records.h"
#include "record/varint.h"

namespace eddy::record::test {
namespace {

void put_bytes(std::vector<uint8_t>& out, const std::optional<std::string>& s) {
    if (!s) {
        varint::append64(out, -1);
        return;
    }
    varint::append64(out, static_cast<int64_t>(s->size()));
    out.insert(out.end(), s->begin(), s->end());
}

}  // namespace

std::vector<uint8_t> encode_records(const test_batch& b) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < b.records.size(); ++i) {
        const test_record& r = b.records[i];
        std::vector<uint8_t> body;
        body.push_back(0);  // attributes
        varint::append64(body, r.timestamp_delta);
        varint::append64(body, r.offset_delta.value_or(static_cast<int32_t>(i)));
        put_bytes(body, r.key);
        put_bytes(body, r.value);
        varint::append64(body, static_cast<int64_t>(r.headers.size()));
        for (const test_header& h : r.headers) {
            put_bytes(body, h.key);
            put_bytes(body, h.value);
        }
        varint::append64(out, static_cast<int64_t>(body.size()));
        out.insert(out.end(), body.begin(), body.end());
    }
    return out;
}

std::vector<uint8_t> build_batch(const test_batch& b) {
    std::vector<uint8_t> records = encode_records(b);
    std::vector<uint8_t> payload;
    if (b.codec == compression::none) {
        payload = std::move(records);
    } else {
        compress(b.codec, records.data(), records.size(), payload);
    }
    std::vector<uint8_t> out(batch_header_size);
    out.insert(out.end(), payload.begin(), payload.end());
    uint8_t* p = out.data();
    int32_t count = b.records_count.value_or(static_cast<int32_t>(b.records.size()));
    int64_t max_ts = b.base_timestamp;
    for (const test_record& r : b.records) max_ts = std::max(max_ts, b.base_timestamp + r.timestamp_delta);
    uint16_t attrs = b.codec_bits.value_or(static_cast<uint8_t>(b.codec));
    if (b.ts_type == timestamp_type::log_append_time) attrs |= attr::timestamp_type;
    if (b.transactional) attrs |= attr::transactional;
    if (b.control) attrs |= attr::control;
    be::store64(p + field::base_offset, static_cast<uint64_t>(b.base_offset));
    be::store32(p + field::batch_length, static_cast<uint32_t>(out.size() - log_overhead));
    be::store32(p + field::partition_leader_epoch, static_cast<uint32_t>(b.partition_leader_epoch));
    p[field::magic] = 2;
    be::store16(p + field::attributes, attrs);
    be::store32(p + field::last_offset_delta, static_cast<uint32_t>(b.last_offset_delta.value_or(count - 1)));
    be::store64(p + field::base_timestamp, static_cast<uint64_t>(b.base_timestamp));
    be::store64(p + field::max_timestamp, static_cast<uint64_t>(b.max_timestamp.value_or(max_ts)));
    be::store64(p + field::producer_id, static_cast<uint64_t>(b.producer_id));
    be::store16(p + field::producer_epoch, static_cast<uint16_t>(b.producer_epoch));
    be::store32(p + field::base_sequence, static_cast<uint32_t>(b.base_sequence));
    be::store32(p + field::records_count, static_cast<uint32_t>(count));
    fix_crc(out);
    return out;
}

void fix_crc(std::vector<uint8_t>& bytes) {
    if (bytes.size() < batch_header_size) return;
    size_t size = log_overhead + be::load32(bytes.data() + field::batch_length);
    size = std::clamp(size, batch_header_size, bytes.size());
    mutable_batch_view(bytes.data(), size).update_crc();
}

std::vector<uint8_t> with_payload(std::vector<uint8_t> batch, std::span<const uint8_t> payload) {
    batch.resize(batch_header_size);
    batch.insert(batch.end(), payload.begin(), payload.end());
    be::store32(batch.data() + field::batch_length, static_cast<uint32_t>(batch.size() - log_overhead));
    fix_crc(batch);
    return batch;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
    std::vector<uint8_t> out;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    int hi = -1;
    for (char c : hex) {
        int n = nibble(c);
        if (n < 0) continue;  // whitespace and newlines
        if (hi < 0) {
            hi = n;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | n));
            hi = -1;
        }
    }
    return out;
}

std::vector<uint8_t> producer_batch(int64_t producer_id, int16_t epoch, int32_t base_sequence,
                                    int records, int64_t base_timestamp, bool transactional) {
    test_batch b;
    for (int i = 0; i < records; ++i) b.records.emplace_back("k", "v");
    b.producer_id = producer_id;
    b.producer_epoch = epoch;
    b.base_sequence = base_sequence;
    b.base_timestamp = base_timestamp;
    b.transactional = transactional;
    return build_batch(b);
}

std::vector<decoded_record> decode_records(std::span<const uint8_t> bytes) {
    auto opt = [](const bytes_view& b) {
        return b.is_null() ? std::nullopt : std::optional<std::string>(b.str());
    };
    std::vector<decoded_record> out;
    batch_scanner scan(bytes.data(), bytes.size());
    batch_view b;
    byte_buffer scratch;
    while (scan.next(b) == scan_status::ok) {
        record_bytes rb = batch_records(b, scratch, 64u << 20);
        if (rb.status != codec_status::ok) throw std::runtime_error("a batch does not decompress");
        record_reader reader(rb.data, rb.size, b.records_count());
        record_view rec;
        record_status st;
        while ((st = reader.next(rec)) == record_status::ok) {
            decoded_record r{b.base_offset() + rec.offset_delta, b.base_timestamp() + rec.timestamp_delta,
                             opt(rec.key), opt(rec.value), {}};
            header_reader hr = rec.headers();
            header_view h;
            while (hr.next(h)) r.headers.emplace_back(std::string(h.key.str()), opt(h.value));
            out.push_back(std::move(r));
        }
        if (st != record_status::end) throw std::runtime_error("records do not parse: " + std::string(reader.reason()));
    }
    return out;
}

}  // namespace eddy::record::test
