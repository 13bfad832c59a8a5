// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log_batches.h"

#include <doctest/doctest.h>

#include "batch_builder.h"  // tests/record
#include "record/batch.h"

namespace eddy::log::test {

std::vector<uint8_t> make_batch(const batch_spec& spec) {
    record::test::test_batch b;
    b.base_offset = spec.base_offset;
    b.partition_leader_epoch = spec.leader_epoch;
    b.base_timestamp = spec.base_timestamp;
    if (spec.max_timestamp != -2) b.max_timestamp = spec.max_timestamp;
    for (int i = 0; i < spec.records; ++i) {
        std::string value(spec.value_size, 'a');
        for (size_t j = 0; j < spec.value_size; ++j) value[j] = static_cast<char>('a' + (i + j) % 26);
        b.records.emplace_back(std::nullopt, std::move(value), i);
    }
    return record::test::build_batch(b);
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
