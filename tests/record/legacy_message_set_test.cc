// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/legacy_message_set.h"

#include <doctest/doctest.h>

#include <random>

#include "legacy_builder.h"
#include "record/endian.h"
#include "record/records.h"
#include "record/validate.h"

namespace eddy::record {
namespace {

using eddy::test::legacy::message;
namespace lb = eddy::test::legacy;

constexpr compression legacy_codecs[] = {compression::gzip, compression::snappy, compression::lz4};

struct read_back {
    std::optional<std::string> key, value;
    int64_t timestamp;
    bool operator==(const read_back&) const = default;
};

legacy_conversion convert(const std::vector<uint8_t>& in, legacy_options o = {}) {
    byte_buffer scratch;
    return convert_legacy_message_set(in.data(), in.size(), o, scratch);
}

// The converted batch must pass the v3+ validation unchanged and read back as `want`.
std::vector<read_back> records_of(std::vector<uint8_t> batch) {
    byte_buffer scratch;
    produce_options o;
    o.now_ms = 1'700'000'000'000;
    produce_validation v = validate_produce_batches(batch.data(), batch.size(), o, scratch);
    REQUIRE_MESSAGE(v.ok(), v.error_message);
    batch_view b(batch.data(), batch.size());
    record_bytes rb = batch_records(b, scratch, 1 << 20);
    REQUIRE(rb.status == codec_status::ok);
    record_reader reader(rb.data, rb.size, b.records_count());
    std::vector<read_back> out;
    record_view rv;
    while (reader.next(rv) == record_status::ok) {
        read_back r{{}, {}, b.base_timestamp() + rv.timestamp_delta};
        if (!rv.key.is_null()) r.key = std::string(rv.key.str());
        if (!rv.value.is_null()) r.value = std::string(rv.value.str());
        out.push_back(r);
    }
    REQUIRE(reader.read() == b.records_count());
    return out;
}

const std::vector<message> sample = {
    {"k1", "v1", 1'700'000'000'001}, {std::nullopt, "v2", 1'700'000'000'005}, {"k3", std::nullopt, 1'700'000'000'003}};

std::vector<read_back> expected(int8_t magic) {
    std::vector<read_back> out;
    for (const auto& m : sample) out.push_back({m.key, m.value, magic == 1 ? m.timestamp : -1});
    return out;
}

}  // namespace

TEST_SUITE("record.legacy") {
    TEST_CASE("uncompressed magic 0 and 1 sets become one uncompressed magic-2 batch") {
        for (int8_t magic : {0, 1}) {
            CAPTURE(magic);
            legacy_conversion c = convert(lb::plain_set(magic, sample));
            REQUIRE(c.ok());
            CHECK(c.record_count == 3);
            CHECK(c.codec == compression::none);
            batch_view b(c.batch.data(), c.batch.size());
            CHECK(b.magic() == 2);
            CHECK(b.compression_type() == compression::none);
            CHECK(b.producer_id() == -1);
            CHECK(b.last_offset_delta() == 2);
            CHECK(records_of(c.batch) == expected(magic));
            // magic 0 has no timestamps: Kafka stores -1 (NO_TIMESTAMP) under CreateTime.
            CHECK(b.max_timestamp() == (magic == 1 ? 1'700'000'000'005 : -1));
        }
    }

    TEST_CASE("a compressed wrapper of each codec keeps the client's codec") {
        for (int8_t magic : {0, 1}) {
            for (compression codec : legacy_codecs) {
                CAPTURE(magic);
                CAPTURE(to_string(codec));
                legacy_conversion c = convert(lb::compressed_set(magic, codec, sample));
                REQUIRE_MESSAGE(c.ok(), c.error_message);
                CHECK(c.codec == codec);
                CHECK(batch_view(c.batch.data(), c.batch.size()).compression_type() == codec);
                CHECK(records_of(c.batch) == expected(magic));
            }
        }
    }

    TEST_CASE("a magic-1 wrapper with LogAppendTime gives every message the wrapper's timestamp") {
        auto inner = lb::plain_set(1, sample);
        auto set = lb::wrapper_of(1, compression::gzip, inner, 2, 1'700'000'000'100, 0x08);
        legacy_conversion c = convert(set);
        REQUIRE(c.ok());
        batch_view b(c.batch.data(), c.batch.size());
        CHECK(b.ts_type() == timestamp_type::log_append_time);
        CHECK(b.base_timestamp() == 1'700'000'000'100);
        CHECK(b.max_timestamp() == 1'700'000'000'100);
    }

    TEST_CASE("inner offsets of magic 1 may be absolute or the wrapper offset 0 (librdkafka)") {
        auto inner = lb::plain_set(1, sample);  // relative 0..2
        CHECK(convert(lb::wrapper_of(1, compression::gzip, inner, 0, 5)).ok());
        CHECK(convert(lb::wrapper_of(1, compression::gzip, inner, 100, 5)).ok());
        legacy_conversion bad = convert(lb::wrapper_of(1, compression::gzip, inner, 1, 5));
        CHECK(bad.error == error_code::invalid_record);
    }

    TEST_CASE("magic-0 lz4 with the pre-KAFKA-3160 header checksum is read, magic 1 is not") {
        for (int8_t magic : {0, 1}) {
            CAPTURE(magic);
            auto inner = lb::plain_set(magic, sample);
            std::vector<uint8_t> packed;
            REQUIRE(compress(compression::lz4, inner.data(), inner.size(), packed));
            size_t pos = 0;
            const int hc = lz4_header_checksum(packed.data(), packed.size(), &pos);
            REQUIRE(hc == packed[pos]);  // liblz4 writes the correct one
            packed[pos] ^= 0x5A;  // what the old clients wrote: a different checksum byte
            auto set = lb::entry(magic, 0, static_cast<uint8_t>(compression::lz4), 1, std::nullopt, &packed,
                                 std::nullopt);
            legacy_conversion c = convert(set);
            if (magic == 0) {
                REQUIRE_MESSAGE(c.ok(), c.error_message);
                CHECK(records_of(c.batch) == expected(0));
            } else {
                CHECK(c.error == error_code::unknown_server_error);
            }
        }
    }

    TEST_CASE("a bad CRC on an outer or an inner message is CORRUPT_MESSAGE") {
        auto set = lb::plain_set(1, sample);
        set[set.size() - 1] ^= 1;  // last value byte of the last message
        CHECK(convert(set).error == error_code::corrupt_message);

        auto inner = lb::plain_set(1, sample);
        inner[inner.size() - 1] ^= 1;
        CHECK(convert(lb::wrapper_of(1, compression::snappy, inner, 2, 5)).error ==
              error_code::corrupt_message);
    }

    TEST_CASE("a trailing partial message is dropped; nothing complete converts to nothing") {
        auto set = lb::plain_set(1, sample);
        auto cut = std::vector<uint8_t>(set.begin(), set.end() - 3);
        legacy_conversion c = convert(cut);
        REQUIRE(c.ok());
        CHECK(c.record_count == 2);

        legacy_conversion none = convert(std::vector<uint8_t>(set.begin(), set.begin() + 20));
        CHECK(none.ok());
        CHECK(none.batch.empty());
        CHECK(convert({}).batch.empty());
    }

    TEST_CASE("sizes that lie are errors") {
        // A message size below the 14-byte minimum.
        auto set = lb::plain_set(0, sample);
        be::store32(set.data() + 8, 13);
        CHECK(convert(set).error == error_code::corrupt_message);

        // A key length past the message's end, with a correct CRC.
        std::vector<uint8_t> msg = lb::entry(0, 0, 0, -1, std::string("abc"), nullptr, std::string("v"));
        be::store32(msg.data() + 12 + 6, 1000);
        uint32_t crc = static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), msg.data() + 16, static_cast<uInt>(msg.size() - 16)));
        be::store32(msg.data() + 12, crc);
        CHECK(convert(msg).error == error_code::corrupt_message);

        // An entry over max.message.bytes.
        legacy_options small;
        small.max_message_bytes = 20;
        CHECK(convert(lb::plain_set(1, sample), small).error == error_code::message_too_large);

        // An inflated wrapper over the cap.
        legacy_options tight;
        tight.max_uncompressed_bytes = 16;
        CHECK(convert(lb::compressed_set(1, compression::gzip, sample), tight).error ==
              error_code::message_too_large);
    }

    TEST_CASE("Kafka's wrapper rules: alone, same magic, not zstd, a value, inner uncompressed") {
        auto wrapped = lb::compressed_set(1, compression::gzip, sample);
        auto plain = lb::plain_set(1, sample);
        std::vector<uint8_t> both = plain;
        both.insert(both.end(), wrapped.begin(), wrapped.end());
        CHECK(convert(both).error == error_code::invalid_record);

        std::vector<uint8_t> mixed = lb::plain_set(0, sample);
        mixed.insert(mixed.end(), plain.begin(), plain.end());
        CHECK(convert(mixed).error == error_code::invalid_record);

        auto zstd = lb::wrapper_of(1, compression::zstd, plain, 2, 5);
        CHECK(convert(zstd).error == error_code::invalid_record);

        auto null_value = lb::entry(1, 0, 1, 5, std::nullopt, nullptr, std::nullopt);
        CHECK(convert(null_value).error == error_code::invalid_record);

        auto nested = lb::wrapper_of(1, compression::gzip, wrapped, 0, 5);
        CHECK(convert(nested).error == error_code::invalid_record);

        auto empty_inner = lb::wrapper_of(1, compression::gzip, {}, 0, 5);
        CHECK(convert(empty_inner).error == error_code::invalid_record);

        auto unknown = lb::entry(1, 0, 6, 5, std::nullopt, nullptr, std::string("x"));
        CHECK(convert(unknown).error == error_code::unknown_server_error);

        auto garbage = lb::entry(1, 0, 1, 5, std::nullopt, nullptr, std::string("not gzip"));
        CHECK(convert(garbage).error == error_code::unknown_server_error);
    }

    TEST_CASE("an inner message of another magic is INVALID_RECORD with its index") {
        auto inner = lb::plain_set(1, sample);
        auto odd = lb::entry(0, 3, 0, -1, std::string("k"), nullptr, std::string("v"));
        inner.insert(inner.end(), odd.begin(), odd.end());
        legacy_conversion c = convert(lb::wrapper_of(1, compression::lz4, inner, 3, 5));
        CHECK(c.error == error_code::invalid_record);
        REQUIRE(c.record_errors.size() == 1);
        CHECK(c.record_errors[0].batch_index == 3);
    }

    TEST_CASE("random corruption never crashes and never yields an invalid batch") {
        std::mt19937 rng(11);
        std::vector<std::vector<uint8_t>> seeds = {lb::plain_set(0, sample), lb::plain_set(1, sample)};
        for (compression codec : legacy_codecs)
            for (int8_t magic : {0, 1}) seeds.push_back(lb::compressed_set(magic, codec, sample));
        for (const auto& seed : seeds) {
            for (int round = 0; round < 400; ++round) {
                std::vector<uint8_t> m = seed;
                int flips = 1 + static_cast<int>(rng() % 4);
                for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<uint8_t>(rng());
                if (rng() % 3 == 0) m.resize(rng() % (m.size() + 1));
                legacy_conversion c = convert(m);
                if (c.ok() && !c.batch.empty()) records_of(c.batch);
            }
        }
    }
}

}  // namespace eddy::record
