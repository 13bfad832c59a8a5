// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// batch_validation::relaxed (eddy.produce.batch.validation, the broker's default): lz4
// and zstd batches are judged by header, CRC and framing, and read only when the broker
// needs their records. The strict (Kafka) checks are validate_test.cc's.
#include <doctest/doctest.h>

#include "batch_builder.h"
#include "record/validate.h"

namespace eddy::record {
namespace {

constexpr int64_t broker_now = 1'700'000'100'000;
constexpr compression framed_codecs[] = {compression::lz4, compression::zstd};

test::test_batch three_records(compression c) {
    test::test_batch b;
    b.codec = c;
    b.base_timestamp = broker_now - 1000;
    for (int i = 0; i < 3; ++i) b.records.push_back({"key-" + std::to_string(i), std::string(40, 'v'), i});
    return b;
}

produce_options relaxed_options() {
    produce_options o;
    o.now_ms = broker_now;
    o.validation = batch_validation::relaxed;
    return o;
}

// The outcome and whether validation decompressed anything to reach it.
struct outcome {
    produce_validation result;
    bool decompressed = false;
};

outcome validate_counting(std::vector<uint8_t>& bytes, const produce_options& o) {
    byte_buffer scratch;
    outcome r{validate_produce_batches(bytes.data(), bytes.size(), o, scratch), false};
    r.decompressed = scratch.capacity() > 0;
    return r;
}

}  // namespace

TEST_SUITE("record.validate.relaxed") {
    TEST_CASE("lz4 and zstd batches are accepted without being decompressed") {
        for (compression c : framed_codecs) {
            CAPTURE(to_string(c));
            test::test_batch t = three_records(c);
            t.producer_id = 9;
            t.producer_epoch = 1;
            t.base_sequence = 4;
            auto bytes = test::build_batch(t);
            const auto sent = bytes;
            outcome r = validate_counting(bytes, relaxed_options());
            REQUIRE(r.result.ok());
            CHECK_FALSE(r.decompressed);
            CHECK(bytes == sent);  // the header's maxTimestamp was already right
            CHECK(r.result.valid_bytes == bytes.size());
            CHECK(r.result.batch.record_count == 3);
            CHECK(r.result.batch.last_offset_delta == 2);
            CHECK(r.result.batch.max_timestamp == broker_now - 1000 + 2);
            CHECK(r.result.batch.producer_id == 9);
            CHECK(r.result.batch.base_sequence == 4);
            CHECK(r.result.batch.codec == c);
        }
    }

    TEST_CASE("what only the records show passes relaxed and fails strict") {
        for (compression c : framed_codecs) {
            CAPTURE(to_string(c));
            // Offset deltas out of order inside the compressed payload.
            test::test_batch t = three_records(c);
            t.records[1].offset_delta = 2;
            t.records[2].offset_delta = 1;
            auto bytes = test::build_batch(t);
            CHECK(validate_counting(bytes, relaxed_options()).result.ok());
            produce_options strict = relaxed_options();
            strict.validation = batch_validation::strict;
            bytes = test::build_batch(t);
            outcome r = validate_counting(bytes, strict);
            CAPTURE(r.result.error_message);
            CHECK(r.result.error == error_code::invalid_record);
            CHECK(r.decompressed);
        }
    }

    TEST_CASE("a cut lz4 or zstd stream with a valid CRC is UNKNOWN_SERVER_ERROR, unchanged") {
        for (compression c : framed_codecs) {
            CAPTURE(to_string(c));
            test::test_batch t = three_records(c);
            for (int i = 3; i < 400; ++i) t.records.push_back({"k" + std::to_string(i), std::to_string(i * 7919), i});
            auto whole = test::build_batch(t);
            const std::vector<uint8_t> payload(whole.begin() + batch_header_size, whole.end());
            for (size_t keep : {size_t{0}, size_t{3}, payload.size() / 2, payload.size() - 1}) {
                CAPTURE(keep);
                auto cut = test::with_payload(whole, std::span<const uint8_t>(payload.data(), keep));
                const auto sent = cut;
                outcome r = validate_counting(cut, relaxed_options());
                CHECK(r.result.error == error_code::unknown_server_error);
                CHECK_FALSE(r.decompressed);
                CHECK(cut == sent);
            }
        }
    }

    TEST_CASE("more records than the payload can decompress to is INVALID_RECORD") {
        for (compression c : framed_codecs) {
            CAPTURE(to_string(c));
            test::test_batch t = three_records(c);
            t.records_count = 2'000'000'000;
            t.last_offset_delta = 2'000'000'000 - 1;
            auto bytes = test::build_batch(t);
            outcome r = validate_counting(bytes, relaxed_options());
            CHECK(r.result.error == error_code::invalid_record);
            CHECK_FALSE(r.decompressed);
        }
    }

    TEST_CASE("the records are read when the broker needs them") {
        for (compression c : framed_codecs) {
            CAPTURE(to_string(c));
            SUBCASE("a compacted topic checks every key") {
                test::test_batch t = three_records(c);
                t.records[1].key.reset();
                produce_options o = relaxed_options();
                o.compacted = true;
                auto bytes = test::build_batch(t);
                outcome r = validate_counting(bytes, o);
                CHECK(r.result.error == error_code::invalid_record);
                REQUIRE(r.result.record_errors.size() == 1);
                CHECK(r.result.record_errors[0].batch_index == 1);
            }
            SUBCASE("timestamp bounds check every record") {
                test::test_batch t = three_records(c);
                t.records[2].timestamp_delta = 10'000'000;
                produce_options o = relaxed_options();
                o.timestamp_after_max_ms = 1000;
                auto bytes = test::build_batch(t);
                outcome r = validate_counting(bytes, o);
                CHECK(r.result.error == error_code::invalid_timestamp);
                CHECK(r.result.record_errors.size() == 1);
            }
            SUBCASE("a batch claiming LogAppendTime gets Kafka's per-record answer") {
                test::test_batch t = three_records(c);
                t.ts_type = timestamp_type::log_append_time;
                produce_options o = relaxed_options();
                o.message_timestamp_type = timestamp_type::log_append_time;
                auto bytes = test::build_batch(t);
                outcome r = validate_counting(bytes, o);
                CHECK(r.result.error == error_code::invalid_timestamp);
                CHECK(r.result.record_errors.size() == 3);
            }
            SUBCASE("an unset or impossible maxTimestamp is replaced by the records' largest") {
                for (int64_t header_max : {int64_t{-1}, broker_now - 5000}) {
                    CAPTURE(header_max);
                    test::test_batch t = three_records(c);
                    t.max_timestamp = header_max;
                    auto bytes = test::build_batch(t);
                    outcome r = validate_counting(bytes, relaxed_options());
                    REQUIRE(r.result.ok());
                    CHECK(r.decompressed);
                    batch_view b(bytes.data(), bytes.size());
                    CHECK(b.max_timestamp() == broker_now - 1000 + 2);
                    CHECK(b.crc_ok());
                }
            }
        }
    }

    TEST_CASE("LogAppendTime is stamped into an unread batch") {
        for (compression c : framed_codecs) {
            auto bytes = test::build_batch(three_records(c));
            produce_options o = relaxed_options();
            o.message_timestamp_type = timestamp_type::log_append_time;
            outcome r = validate_counting(bytes, o);
            REQUIRE(r.result.ok());
            CHECK_FALSE(r.decompressed);
            batch_view b(bytes.data(), bytes.size());
            CHECK(b.ts_type() == timestamp_type::log_append_time);
            CHECK(b.max_timestamp() == broker_now);
            CHECK(b.crc_ok());
            CHECK(r.result.log_append_time == broker_now);
        }
    }

    TEST_CASE("uncompressed, gzip and snappy batches are always read whole") {
        for (compression c : {compression::none, compression::gzip, compression::snappy}) {
            CAPTURE(to_string(c));
            test::test_batch t = three_records(c);
            t.records[1].offset_delta = 2;
            t.records[2].offset_delta = 1;
            auto bytes = test::build_batch(t);
            CHECK(validate_counting(bytes, relaxed_options()).result.error == error_code::invalid_record);
        }
    }
}

}  // namespace eddy::record
