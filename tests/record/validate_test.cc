// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "batch_builder.h"
#include "record/endian.h"
#include "record/validate.h"

namespace eddy::record {
namespace {

constexpr int64_t now = 1'700'000'100'000;
using test::all_codecs;

test::test_batch batch_of(int n, compression c = compression::none) {
    test::test_batch b;
    b.codec = c;
    b.base_timestamp = now - 1000;
    for (int i = 0; i < n; ++i) {
        b.records.push_back({"key-" + std::to_string(i), std::string(20, static_cast<char>('a' + i % 26)), i});
    }
    return b;
}

produce_options opts_at_now() {
    produce_options o;
    o.now_ms = now;
    return o;
}

produce_validation check(std::vector<uint8_t>& bytes, const produce_options& o = opts_at_now()) {
    byte_buffer scratch;
    return validate_produce_batches(bytes.data(), bytes.size(), o, scratch);
}

// Validation that must fail leaves the bytes as they were.
error_code rejected(std::vector<uint8_t> bytes, const produce_options& o = opts_at_now()) {
    auto before = bytes;
    produce_validation r = check(bytes, o);
    CHECK(bytes == before);
    CHECK(r.valid_bytes == 0);
    return r.error;
}

}  // namespace

TEST_SUITE("record.validate") {
    TEST_CASE("a well-formed batch is accepted in every codec with a summary for the log") {
        for (compression c : all_codecs) {
            CAPTURE(to_string(c));
            test::test_batch t = batch_of(5, c);
            t.producer_id = 77;
            t.producer_epoch = 2;
            t.base_sequence = 10;
            t.transactional = true;
            auto bytes = test::build_batch(t);
            produce_validation r = check(bytes);
            REQUIRE(r.ok());
            CHECK(r.valid_bytes == bytes.size());
            CHECK(r.record_count == 5);
            CHECK(r.batch.record_count == 5);
            CHECK(r.batch.last_offset_delta == 4);
            CHECK(r.batch.max_timestamp == now - 1000 + 4);
            CHECK(r.batch.max_timestamp_offset_delta == 4);
            CHECK(r.batch.producer_id == 77);
            CHECK(r.batch.producer_epoch == 2);
            CHECK(r.batch.base_sequence == 10);
            CHECK(r.batch.is_transactional);
            CHECK(r.batch.codec == c);
            CHECK(r.log_append_time == -1);
            CHECK(r.record_errors.empty());
            CHECK(batch_view(bytes.data(), bytes.size()).crc_ok());
        }
    }

    TEST_CASE("LogAppendTime stamps now into maxTimestamp and the attributes, with a new CRC") {
        for (compression c : all_codecs) {
            auto bytes = test::build_batch(batch_of(3, c));
            produce_options o = opts_at_now();
            o.message_timestamp_type = timestamp_type::log_append_time;
            produce_validation r = check(bytes, o);
            REQUIRE(r.ok());
            batch_view b(bytes.data(), bytes.size());
            CHECK(b.ts_type() == timestamp_type::log_append_time);
            CHECK(b.max_timestamp() == now);
            CHECK(b.crc_ok());
            CHECK(r.log_append_time == now);
            CHECK(r.batch.max_timestamp == now);
        }
    }

    TEST_CASE("a client's wrong maxTimestamp is replaced by the largest record timestamp") {
        test::test_batch t = batch_of(3);
        t.max_timestamp = 5;
        auto bytes = test::build_batch(t);
        REQUIRE(check(bytes).ok());
        batch_view b(bytes.data(), bytes.size());
        CHECK(b.max_timestamp() == now - 1000 + 2);
        CHECK(b.crc_ok());
    }

    TEST_CASE("a partition without one complete batch is INVALID_RECORD") {
        CHECK(rejected({}) == error_code::invalid_record);
        auto bytes = test::build_batch(batch_of(2));
        for (size_t cut = 1; cut < bytes.size(); ++cut) {
            CAPTURE(cut);
            CHECK(rejected({bytes.begin(), bytes.begin() + static_cast<long>(cut)}) ==
                  error_code::invalid_record);
        }
    }

    TEST_CASE("a trailing partial batch is dropped, as Kafka trims it") {
        auto bytes = test::build_batch(batch_of(2));
        size_t first = bytes.size();
        auto second = test::build_batch(batch_of(1));
        bytes.insert(bytes.end(), second.begin(), second.end() - 3);
        produce_validation r = check(bytes);
        REQUIRE(r.ok());
        CHECK(r.valid_bytes == first);
    }

    TEST_CASE("two complete batches in one partition are INVALID_RECORD") {
        auto bytes = test::build_batch(batch_of(2));
        auto second = test::build_batch(batch_of(1));
        bytes.insert(bytes.end(), second.begin(), second.end());
        CHECK(rejected(bytes) == error_code::invalid_record);
    }

    TEST_CASE("magic 0 or 1 is INVALID_RECORD, an unknown magic is CORRUPT_MESSAGE") {
        auto bytes = test::build_batch(batch_of(1));
        bytes[field::magic] = 1;
        CHECK(rejected(bytes) == error_code::invalid_record);
        bytes[field::magic] = 0;
        CHECK(rejected(bytes) == error_code::invalid_record);
        bytes[field::magic] = 3;
        CHECK(rejected(bytes) == error_code::corrupt_message);
        bytes[field::magic] = 0xFF;
        CHECK(rejected(bytes) == error_code::corrupt_message);
    }

    TEST_CASE("a batch length below Kafka's minimum record overhead is CORRUPT_MESSAGE") {
        auto bytes = test::build_batch(batch_of(1));
        be::store32(bytes.data() + field::batch_length, 13);
        CHECK(rejected(bytes) == error_code::corrupt_message);
        be::store32(bytes.data() + field::batch_length, 0x80000000u);
        CHECK(rejected(bytes) == error_code::corrupt_message);
        // 14..48: a plausible length for some magic, but shorter than a v2 header.
        bytes.resize(12 + 30);
        be::store32(bytes.data() + field::batch_length, 30);
        CHECK(rejected(bytes) == error_code::corrupt_message);
    }

    TEST_CASE("a batch length larger than the bytes sent is INVALID_RECORD") {
        auto bytes = test::build_batch(batch_of(2));
        be::store32(bytes.data() + field::batch_length, static_cast<uint32_t>(bytes.size()));
        CHECK(rejected(bytes) == error_code::invalid_record);
    }

    TEST_CASE("a batch length smaller than the batch is CORRUPT_MESSAGE") {
        auto bytes = test::build_batch(batch_of(2));
        be::store32(bytes.data() + field::batch_length, static_cast<uint32_t>(bytes.size() - 12 - 5));
        CHECK(rejected(bytes) == error_code::corrupt_message);
    }

    TEST_CASE("zstd needs Produce v7") {
        auto bytes = test::build_batch(batch_of(2, compression::zstd));
        produce_options o = opts_at_now();
        o.api_version = 6;
        CHECK(rejected(bytes, o) == error_code::unsupported_compression_type);
        o.api_version = 7;
        CHECK(check(bytes, o).ok());
    }

    TEST_CASE("a base offset other than 0 is INVALID_RECORD") {
        test::test_batch t = batch_of(2);
        t.base_offset = 5;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
    }

    TEST_CASE("a batch above max.message.bytes is MESSAGE_TOO_LARGE, checked before the CRC") {
        auto bytes = test::build_batch(batch_of(10));
        produce_options o = opts_at_now();
        o.max_message_bytes = static_cast<int32_t>(bytes.size());
        CHECK(check(bytes, o).ok());
        o.max_message_bytes = static_cast<int32_t>(bytes.size() - 1);
        CHECK(rejected(bytes, o) == error_code::message_too_large);
        bytes.back() ^= 1;
        CHECK(rejected(bytes, o) == error_code::message_too_large);
    }

    TEST_CASE("every bit flip under the CRC is CORRUPT_MESSAGE and nothing is changed") {
        auto good = test::build_batch(batch_of(3, compression::lz4));
        for (size_t i = field::attributes; i < good.size(); ++i) {
            auto bad = good;
            bad[i] ^= static_cast<uint8_t>(1 << (i % 8));
            CAPTURE(i);
            CHECK(rejected(bad) == error_code::corrupt_message);
        }
    }

    TEST_CASE("an undefined compression id is UNKNOWN_SERVER_ERROR, as in Kafka") {
        test::test_batch t = batch_of(2);
        t.codec_bits = 5;
        CHECK(rejected(test::build_batch(t)) == error_code::unknown_server_error);
    }

    TEST_CASE("record count and lastOffsetDelta must agree and be positive") {
        test::test_batch t = batch_of(3);
        t.last_offset_delta = 1;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
        t = batch_of(3);
        t.records_count = 2;
        t.last_offset_delta = 1;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
        t = batch_of(0);
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
        t = batch_of(1);
        t.records_count = -1;
        t.last_offset_delta = -2;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
    }

    TEST_CASE("an absurd record count is INVALID_RECORD without allocating for it") {
        for (compression c : all_codecs) {
            CAPTURE(to_string(c));
            test::test_batch t = batch_of(2, c);
            t.records_count = INT32_MAX;
            t.last_offset_delta = INT32_MAX - 1;
            CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
            t.last_offset_delta = INT32_MAX;
            CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
        }
    }

    TEST_CASE("control batches from clients are INVALID_RECORD") {
        test::test_batch t = batch_of(1);
        t.control = true;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
    }

    TEST_CASE("a producer id without a sequence number is INVALID_RECORD") {
        test::test_batch t = batch_of(2);
        t.producer_id = 1000;
        t.producer_epoch = 0;
        t.base_sequence = -1;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
        t.base_sequence = 0;
        CHECK(check(*std::make_unique<std::vector<uint8_t>>(test::build_batch(t))).ok());
    }

    TEST_CASE("a truncated compressed payload with a valid CRC is rejected as Kafka does") {
        for (compression c : {compression::gzip, compression::lz4, compression::zstd, compression::snappy}) {
            CAPTURE(to_string(c));
            auto bytes = test::build_batch(batch_of(20, c));
            for (size_t drop : {size_t{1}, size_t{7}, bytes.size() - batch_header_size - 2}) {
                const std::span<const uint8_t> kept(bytes.data() + batch_header_size,
                                                    bytes.size() - batch_header_size - drop);
                error_code e = rejected(test::with_payload(bytes, kept));
                // Kafka reports a codec failure as UNKNOWN_SERVER_ERROR; a stream that
                // ends cleanly but early (xerial snappy at a chunk edge) as INVALID_RECORD.
                CHECK((e == error_code::unknown_server_error || e == error_code::invalid_record));
            }
        }
    }

    TEST_CASE("a decompression bomb is MESSAGE_TOO_LARGE with memory bounded by the limit") {
        for (compression c : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
            CAPTURE(to_string(c));
            test::test_batch t = batch_of(0, c);
            t.records.push_back({"k", std::string(8 << 20, 'x')});
            auto bytes = test::build_batch(t);
            CHECK(bytes.size() < (1 << 20));
            produce_options o = opts_at_now();
            o.max_uncompressed_bytes = 1 << 20;
            byte_buffer scratch;
            auto before = bytes;
            produce_validation r = validate_produce_batches(bytes.data(), bytes.size(), o, scratch);
            CHECK(r.error == error_code::message_too_large);
            CHECK(scratch.capacity() <= (1u << 20));
            CHECK(bytes == before);
        }
    }

    TEST_CASE("a malformed record is INVALID_RECORD without record errors") {
        for (compression c : all_codecs) {
            test::test_batch t = batch_of(3, c);
            t.records[1].headers.push_back({"h", "v"});
            auto records = test::encode_records(t);
            // Corrupt the second record's header key length to -1 (null key).
            test::test_batch only_first = batch_of(1, c);
            // length, attributes, ts, offset, key (1+5), value (1+20), header count
            size_t at = test::encode_records(only_first).size() + 1 + 1 + 1 + 1 + 6 + 21 + 1;
            REQUIRE(records[at] == 2);
            records[at] = 1;
            std::vector<uint8_t> payload;
            if (c == compression::none) payload = records;
            else compress(c, records.data(), records.size(), payload);
            auto bytes = test::with_payload(test::build_batch(t), payload);
            std::vector<uint8_t> copy = bytes;
            produce_validation r = check(copy);
            CHECK(r.error == error_code::invalid_record);
            CHECK(r.record_errors.empty());
        }
    }

    TEST_CASE("offset deltas out of order are INVALID_RECORD") {
        test::test_batch t = batch_of(3);
        t.records[1].offset_delta = 2;
        t.records[2].offset_delta = 1;
        CHECK(rejected(test::build_batch(t)) == error_code::invalid_record);
    }

    TEST_CASE("timestamps outside the before/after bounds are INVALID_TIMESTAMP per record") {
        test::test_batch t = batch_of(4);
        t.base_timestamp = now;
        t.records[0].timestamp_delta = -5000;  // too old
        t.records[1].timestamp_delta = 0;
        t.records[2].timestamp_delta = 5000;   // too new
        t.records[3].timestamp_delta = -1000;  // exactly at the bound
        produce_options o = opts_at_now();
        o.timestamp_before_max_ms = 1000;
        o.timestamp_after_max_ms = 1000;
        auto bytes = test::build_batch(t);
        auto before = bytes;
        produce_validation r = check(bytes, o);
        CHECK(r.error == error_code::invalid_timestamp);
        REQUIRE(r.record_errors.size() == 2);
        CHECK(r.record_errors[0].batch_index == 0);
        CHECK(r.record_errors[1].batch_index == 2);
        // Kafka's wording, which a Java producer shows its user.
        CHECK(r.error_message == "One or more records have been rejected due to invalid timestamp");
        CHECK(r.record_errors[1].message ==
              fmt::format("Timestamp {} of message with offset 2 is out of range. The timestamp should be "
                          "within [{}, {}]",
                          now + 5000, now - 1000, now + 1000));
        CHECK(bytes == before);
    }

    TEST_CASE("records without a timestamp pass the timestamp bounds") {
        test::test_batch t = batch_of(2);
        t.base_timestamp = -1;
        t.max_timestamp = -1;
        produce_options o = opts_at_now();
        o.timestamp_before_max_ms = 1;
        o.timestamp_after_max_ms = 1;
        auto bytes = test::build_batch(t);
        t.records[0].timestamp_delta = 0;
        t.records[1].timestamp_delta = 0;
        bytes = test::build_batch(t);
        CHECK(check(bytes, o).ok());
    }

    TEST_CASE("the deprecated timestamp difference applies where before/after are default") {
        CHECK(effective_timestamp_bound(INT64_MAX, 5000) == 5000);
        CHECK(effective_timestamp_bound(100, 5000) == 100);
    }

    TEST_CASE("a LogAppendTime batch sent to a LogAppendTime topic is INVALID_TIMESTAMP") {
        test::test_batch t = batch_of(3);
        t.ts_type = timestamp_type::log_append_time;
        produce_options o = opts_at_now();
        o.message_timestamp_type = timestamp_type::log_append_time;
        auto bytes = test::build_batch(t);
        produce_validation r = check(bytes, o);
        CHECK(r.error == error_code::invalid_timestamp);
        CHECK(r.record_errors.size() == 3);
        // Under CreateTime Kafka lets it through and stores CreateTime.
        bytes = test::build_batch(t);
        REQUIRE(check(bytes).ok());
        CHECK(batch_view(bytes.data(), bytes.size()).ts_type() == timestamp_type::create_time);
    }

    TEST_CASE("a compacted topic rejects records without a key, listing each") {
        test::test_batch t = batch_of(4);
        t.records[1].key.reset();
        t.records[3].key.reset();
        produce_options o = opts_at_now();
        o.compacted = true;
        auto bytes = test::build_batch(t);
        produce_validation r = check(bytes, o);
        CHECK(r.error == error_code::invalid_record);
        REQUIRE(r.record_errors.size() == 2);
        CHECK(r.record_errors[0].batch_index == 1);
        CHECK(r.record_errors[1].batch_index == 3);
        CHECK_FALSE(r.error_message.empty());
        o.compacted = false;
        CHECK(check(bytes, o).ok());
    }

    TEST_CASE("a timestamp error among key errors makes the partition INVALID_TIMESTAMP") {
        test::test_batch t = batch_of(3);
        t.records[0].key.reset();
        t.records[2].timestamp_delta = 10'000'000;
        produce_options o = opts_at_now();
        o.compacted = true;
        o.timestamp_after_max_ms = 1000;
        auto bytes = test::build_batch(t);
        produce_validation r = check(bytes, o);
        CHECK(r.error == error_code::invalid_timestamp);
        CHECK(r.record_errors.size() == 2);
    }

    TEST_CASE("a batch larger than segment.bytes is RECORD_LIST_TOO_LARGE") {
        auto bytes = test::build_batch(batch_of(5));
        produce_options o = opts_at_now();
        o.segment_bytes = static_cast<int64_t>(bytes.size()) - 1;
        CHECK(rejected(bytes, o) == error_code::record_list_too_large);
    }
}

}  // namespace eddy::record
