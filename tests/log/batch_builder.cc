// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "batch_builder.h"

#include <doctest/doctest.h>

#include "record/batch.h"
#include "record/endian.h"

namespace eddy::log::test {
namespace {

void put_varint(std::vector<uint8_t>& out, int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (z >= 0x80) {
        out.push_back(static_cast<uint8_t>(z | 0x80));
        z >>= 7;
    }
    out.push_back(static_cast<uint8_t>(z));
}

}  // namespace

std::vector<uint8_t> make_batch(const batch_spec& spec) {
    std::vector<uint8_t> records;
    for (int i = 0; i < spec.records; ++i) {
        std::vector<uint8_t> body;
        body.push_back(0);  // attributes
        put_varint(body, i);  // timestamp delta
        put_varint(body, i);  // offset delta
        put_varint(body, -1);  // null key
        put_varint(body, static_cast<int64_t>(spec.value_size));
        for (size_t j = 0; j < spec.value_size; ++j) body.push_back(static_cast<uint8_t>('a' + (i + j) % 26));
        put_varint(body, 0);  // no headers
        put_varint(records, static_cast<int64_t>(body.size()));
        records.insert(records.end(), body.begin(), body.end());
    }
    std::vector<uint8_t> b(record::batch_header_size, 0);
    namespace f = record::field;
    namespace be = record::be;
    be::store64(&b[f::base_offset], static_cast<uint64_t>(spec.base_offset));
    be::store32(&b[f::batch_length],
                static_cast<uint32_t>(record::batch_header_size - record::log_overhead + records.size()));
    be::store32(&b[f::partition_leader_epoch], static_cast<uint32_t>(spec.leader_epoch));
    b[f::magic] = 2;
    be::store16(&b[f::attributes], 0);
    be::store32(&b[f::last_offset_delta], static_cast<uint32_t>(spec.records - 1));
    be::store64(&b[f::base_timestamp], static_cast<uint64_t>(spec.base_timestamp));
    const int64_t max_ts = spec.max_timestamp == -2 ? spec.base_timestamp + spec.records - 1
                                                    : spec.max_timestamp;
    be::store64(&b[f::max_timestamp], static_cast<uint64_t>(max_ts));
    be::store64(&b[f::producer_id], static_cast<uint64_t>(-1));
    be::store16(&b[f::producer_epoch], static_cast<uint16_t>(-1));
    be::store32(&b[f::base_sequence], static_cast<uint32_t>(-1));
    be::store32(&b[f::records_count], static_cast<uint32_t>(spec.records));
    b.insert(b.end(), records.begin(), records.end());
    record::mutable_batch_view(b.data(), b.size()).update_crc();
    return b;
}

std::vector<batch_info> parse_batches(const std::vector<uint8_t>& bytes) {
    std::vector<batch_info> out;
    size_t pos = 0;
    while (bytes.size() - pos >= record::batch_header_size) {
        record::batch_view h(bytes.data() + pos, bytes.size() - pos);
        const size_t size = record::log_overhead + static_cast<size_t>(h.batch_length());
        if (size > bytes.size() - pos) break;
        record::batch_view v(bytes.data() + pos, size);
        out.push_back({v.base_offset(), v.last_offset(), v.max_timestamp(),
                       v.partition_leader_epoch(), v.crc_ok()});
        pos += size;
    }
    return out;
}

std::vector<uint8_t> slice_bytes(const read_result& r) {
    std::vector<uint8_t> out;
    for (const auto& s : r.slices) {
        std::vector<uint8_t> part(s.length);
        REQUIRE_FALSE(read_exact(*s.log_file, s.position, part));
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

std::vector<batch_info> read_all(log& l, int64_t offset) {
    auto r = l.read(offset, UINT32_MAX, INT64_MAX, true);
    REQUIRE(r);
    return parse_batches(slice_bytes(*r));
}

}  // namespace eddy::log::test
