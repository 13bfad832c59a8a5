// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "group/runtime/offsets_batch.h"

using namespace eddy;
using namespace eddy::group;

namespace {

std::vector<coordinator_record> sample() {
    return {{{0, 1, 'k', '1'}, std::vector<uint8_t>{0, 3, 'v'}},
            {{0, 2, 'k', '2'}, std::nullopt},
            {{0, 1, 'k', '3'}, std::vector<uint8_t>{}}};
}

std::vector<coordinator_record> read_back(std::vector<uint8_t>& bytes) {
    record::batch_scanner scan(bytes.data(), bytes.size());
    record::batch_view b;
    REQUIRE(scan.next(b) == record::scan_status::ok);
    std::vector<coordinator_record> out;
    record::byte_buffer scratch;
    std::string error;
    bool ok = read_offsets_batch(
        b, scratch,
        [&](std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value) {
            coordinator_record r{{key.begin(), key.end()}, std::nullopt};
            if (value) r.value.emplace(value->begin(), value->end());
            out.push_back(std::move(r));
        },
        error);
    REQUIRE_MESSAGE(ok, error);
    CHECK(scan.next(b) != record::scan_status::ok);
    return out;
}

bool same(const std::vector<coordinator_record>& a, const std::vector<coordinator_record>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].key != b[i].key || a[i].value != b[i].value) return false;
    return true;
}

}  // namespace

TEST_SUITE("coordinator.offsets_batch") {
    TEST_CASE("records, tombstones and empty values read back as written") {
        std::vector<coordinator_record> records = sample();
        std::vector<uint8_t> batch =
            encode_offsets_batch(records, 4, 1700000000000, record::compression::none);
        CHECK(same(read_back(batch), records));
        record::batch_view v(batch.data(), batch.size());
        CHECK(v.partition_leader_epoch() == 4);
        CHECK(v.records_count() == 3);
        CHECK(v.last_offset_delta() == 2);
        CHECK(v.max_timestamp() == 1700000000000);
        CHECK(v.producer_id() == -1);
    }

    TEST_CASE("a TxnOffsetCommit batch is a transactional batch of its producer") {
        std::vector<coordinator_record> records = sample();
        std::vector<uint8_t> batch = encode_offsets_batch(records, 4, 1700000000000,
                                                          record::compression::none, {77, 3});
        CHECK(same(read_back(batch), records));
        record::batch_view v(batch.data(), batch.size());
        CHECK(v.is_transactional());
        CHECK_FALSE(v.is_control());
        CHECK(v.producer_id() == 77);
        CHECK(v.producer_epoch() == 3);
        CHECK(v.base_sequence() == record::no_sequence);
    }

    TEST_CASE("a compressed batch reads back as written") {
        std::vector<coordinator_record> records = sample();
        for (auto codec : {record::compression::gzip, record::compression::snappy,
                           record::compression::lz4, record::compression::zstd}) {
            CAPTURE(static_cast<int>(codec));
            std::vector<uint8_t> batch = encode_offsets_batch(records, 0, 1, codec);
            CHECK(record::batch_view(batch.data(), batch.size()).compression_type() == codec);
            CHECK(same(read_back(batch), records));
        }
    }
}
