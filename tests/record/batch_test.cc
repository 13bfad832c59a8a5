// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "batch_builder.h"
#include "record/batch.h"
#include "record/endian.h"

namespace eddy::record {
namespace {

test::test_batch sample(int n = 3) {
    test::test_batch b;
    for (int i = 0; i < n; ++i) {
        b.records.push_back({"k" + std::to_string(i), "value-" + std::to_string(i), i * 10});
    }
    return b;
}

std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts) {
    std::vector<uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace

TEST_SUITE("record.batch") {
    TEST_CASE("a batch view decodes every header field") {
        test::test_batch t = sample();
        t.base_offset = 1234;
        t.partition_leader_epoch = 7;
        t.producer_id = 99;
        t.producer_epoch = 3;
        t.base_sequence = 42;
        t.transactional = true;
        auto bytes = test::build_batch(t);
        batch_view b(bytes.data(), bytes.size());
        CHECK(b.base_offset() == 1234);
        CHECK(b.batch_length() == static_cast<int32_t>(bytes.size() - log_overhead));
        CHECK(b.partition_leader_epoch() == 7);
        CHECK(b.magic() == 2);
        CHECK(b.crc_ok());
        CHECK(b.last_offset_delta() == 2);
        CHECK(b.last_offset() == 1236);
        CHECK(b.base_timestamp() == t.base_timestamp);
        CHECK(b.max_timestamp() == t.base_timestamp + 20);
        CHECK(b.producer_id() == 99);
        CHECK(b.producer_epoch() == 3);
        CHECK(b.base_sequence() == 42);
        CHECK(b.records_count() == 3);
        CHECK(b.is_transactional());
        CHECK_FALSE(b.is_control());
        CHECK(b.compression_type() == compression::none);
        CHECK(b.ts_type() == timestamp_type::create_time);
        CHECK(b.records_size() == bytes.size() - batch_header_size);
    }

    TEST_CASE("base offset and leader epoch can be rewritten without touching the CRC") {
        auto bytes = test::build_batch(sample());
        mutable_batch_view b(bytes.data(), bytes.size());
        uint32_t crc = b.crc();
        b.set_base_offset(1'000'000);
        b.set_partition_leader_epoch(12);
        CHECK(b.base_offset() == 1'000'000);
        CHECK(b.partition_leader_epoch() == 12);
        CHECK(b.crc() == crc);
        CHECK(b.crc_ok());
    }

    TEST_CASE("setting LogAppendTime sets the attribute bit and recomputes the CRC") {
        auto bytes = test::build_batch(sample());
        mutable_batch_view b(bytes.data(), bytes.size());
        uint32_t crc = b.crc();
        b.set_max_timestamp(timestamp_type::log_append_time, 1'800'000'000'000);
        CHECK(b.ts_type() == timestamp_type::log_append_time);
        CHECK(b.max_timestamp() == 1'800'000'000'000);
        CHECK(b.crc() != crc);
        CHECK(b.crc_ok());
        b.set_max_timestamp(timestamp_type::create_time, 5);
        CHECK(b.ts_type() == timestamp_type::create_time);
        CHECK(b.crc_ok());
    }

    TEST_CASE("the scanner returns consecutive batches then end") {
        auto a = test::build_batch(sample(1));
        auto b = test::build_batch(sample(5));
        auto c = test::build_batch(sample(2));
        auto all = concat({a, b, c});
        batch_scanner scan(all.data(), all.size());
        batch_view v;
        REQUIRE(scan.next(v) == scan_status::ok);
        CHECK(v.records_count() == 1);
        REQUIRE(scan.next(v) == scan_status::ok);
        CHECK(v.records_count() == 5);
        REQUIRE(scan.next(v) == scan_status::ok);
        CHECK(v.records_count() == 2);
        CHECK(scan.next(v) == scan_status::end);
        CHECK(scan.position() == all.size());
    }

    TEST_CASE("every truncation of a batch sequence is incomplete, after the whole batches") {
        auto a = test::build_batch(sample(2));
        auto b = test::build_batch(sample(4));
        auto all = concat({a, b});
        for (size_t cut = 0; cut < all.size(); ++cut) {
            CAPTURE(cut);
            std::vector<uint8_t> part(all.begin(), all.begin() + static_cast<long>(cut));
            batch_scanner scan(part.data(), part.size());
            batch_view v;
            size_t whole = 0;
            scan_status s;
            while ((s = scan.next(v)) == scan_status::ok) ++whole;
            CHECK(whole == (cut >= a.size() ? 1u : 0u));
            if (cut == 0 || cut == a.size()) {
                CHECK(s == scan_status::end);
            } else {
                CHECK(s == scan_status::incomplete);
            }
            CHECK(scan.position() == (cut >= a.size() ? a.size() : 0u));
            CHECK(scan.next(v) == s);  // sticky
        }
    }

    TEST_CASE("any bit flip inside the CRC-covered bytes makes the batch corrupt") {
        auto good = test::build_batch(sample(3));
        for (size_t i = field::attributes; i < good.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto bad = good;
                bad[i] ^= static_cast<uint8_t>(1 << bit);
                batch_scanner scan(bad.data(), bad.size());
                batch_view v;
                CHECK(scan.next(v) == scan_status::corrupt);
            }
        }
    }

    TEST_CASE("a flipped stored CRC or magic byte is corrupt") {
        auto good = test::build_batch(sample(3));
        for (size_t i = field::magic; i < field::attributes; ++i) {
            auto bad = good;
            bad[i] ^= 0x10;
            batch_scanner scan(bad.data(), bad.size());
            batch_view v;
            CHECK(scan.next(v) == scan_status::corrupt);
        }
    }

    TEST_CASE("a batch length below the header size is corrupt, not incomplete") {
        auto bytes = test::build_batch(sample(1));
        be::store32(bytes.data() + field::batch_length, static_cast<uint32_t>(min_batch_length - 1));
        batch_scanner scan(bytes.data(), bytes.size());
        batch_view v;
        CHECK(scan.next(v) == scan_status::corrupt);
        be::store32(bytes.data() + field::batch_length, 0xFFFFFFFFu);  // negative
        batch_scanner scan2(bytes.data(), bytes.size());
        CHECK(scan2.next(v) == scan_status::corrupt);
    }

    TEST_CASE("a batch above the size limit is corrupt even if its bytes are missing") {
        auto bytes = test::build_batch(sample(1));
        be::store32(bytes.data() + field::batch_length, 50'000'000u);
        batch_scanner scan(bytes.data(), bytes.size(), {true, 1 << 20});
        batch_view v;
        CHECK(scan.next(v) == scan_status::corrupt);
        batch_scanner unlimited(bytes.data(), bytes.size());
        CHECK(unlimited.next(v) == scan_status::incomplete);
    }

    TEST_CASE("older magic is corrupt for the v2 scanner") {
        auto bytes = test::build_batch(sample(1));
        bytes[field::magic] = 1;
        batch_scanner scan(bytes.data(), bytes.size());
        batch_view v;
        CHECK(scan.next(v) == scan_status::corrupt);
    }

    TEST_CASE("CRC checking can be skipped") {
        auto bytes = test::build_batch(sample(1));
        bytes.back() ^= 1;
        batch_scanner scan(bytes.data(), bytes.size(), {false, INT32_MAX});
        batch_view v;
        CHECK(scan.next(v) == scan_status::ok);
        CHECK_FALSE(v.crc_ok());
    }
}

}  // namespace eddy::record
