// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Rebuilding a validated batch in the topic's codec (compression.type), as Kafka's
// LogValidator.buildRecordsAndAssignOffsets does: every record comes back as it was.
#include <doctest/doctest.h>

#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "batch_builder.h"
#include "record/recompress.h"
#include "record/validate.h"

namespace eddy::record {
namespace {

using test::all_codecs;
using test::decoded_record;
constexpr int64_t rebuild_now = 1'700'000'100'000;

// The records of one whole batch, as a consumer would decode them.
std::vector<decoded_record> one_batch_records(std::span<const uint8_t> bytes) {
    batch_scanner scan(bytes.data(), bytes.size());
    batch_view b;
    REQUIRE(scan.next(b) == scan_status::ok);  // framing and CRC
    CHECK(scan.next(b) == scan_status::end);
    return test::decode_records(bytes);
}

test::test_batch rebuild_sample(compression codec) {
    test::test_batch b;
    b.codec = codec;
    b.base_timestamp = rebuild_now - 5000;
    b.partition_leader_epoch = 7;
    b.producer_id = 4242;
    b.producer_epoch = 3;
    b.base_sequence = 17;
    b.records.emplace_back("k0", "v0", 0, std::vector<test::test_header>{{"h", "x"}, {"null", std::nullopt}});
    b.records.emplace_back(std::nullopt, std::string(3000, 'a'), 12);
    b.records.emplace_back("k2", std::nullopt, 3);  // a tombstone, an earlier timestamp
    b.records.emplace_back("", "", 40, std::vector<test::test_header>{{"", ""}});
    return b;
}

// Validates as partition::append does, leaving the decompressed records in `scratch`.
produce_validation validate_for_rebuild(std::vector<uint8_t>& bytes, byte_buffer& scratch,
                            timestamp_type type = timestamp_type::create_time) {
    produce_options o;
    o.now_ms = rebuild_now;
    o.message_timestamp_type = type;
    produce_validation v = validate_produce_batches(bytes.data(), bytes.size(), o, scratch);
    REQUIRE(v.ok());
    return v;
}

std::vector<uint8_t> rebuilt(std::vector<uint8_t>& bytes, compression target,
                             int level = -1000, timestamp_type type = timestamp_type::create_time) {
    byte_buffer scratch;
    validate_for_rebuild(bytes, scratch, type);
    batch_view view(bytes.data(), bytes.size());
    batch_recompressor r;
    std::span<uint8_t> out = r.rebuild(view, validated_records(view, scratch), target,
                                       level == -1000 ? default_level(target) : level);
    REQUIRE(!out.empty());
    return {out.begin(), out.end()};
}

}  // namespace

TEST_SUITE("record.recompress") {
    TEST_CASE("every codec to every other keeps the header fields and every record") {
        for (compression source : all_codecs) {
            for (compression target : all_codecs) {
                if (source == target) continue;
                CAPTURE(to_string(source));
                CAPTURE(to_string(target));
                std::vector<uint8_t> in = test::build_batch(rebuild_sample(source));
                const std::vector<decoded_record> expected = one_batch_records(in);
                std::vector<uint8_t> out = rebuilt(in, target);
                batch_view a(in.data(), in.size());  // as validation left it
                batch_view b(out.data(), out.size());
                CHECK(b.compression_type() == target);
                CHECK(b.crc_ok());
                CHECK(b.base_offset() == a.base_offset());
                CHECK(b.partition_leader_epoch() == 7);
                CHECK(b.magic() == 2);
                CHECK(b.last_offset_delta() == 3);
                CHECK(b.records_count() == 4);
                CHECK(b.producer_id() == 4242);
                CHECK(b.producer_epoch() == 3);
                CHECK(b.base_sequence() == 17);
                CHECK(!b.is_transactional());
                CHECK(!b.is_control());
                CHECK(b.ts_type() == timestamp_type::create_time);
                CHECK(b.base_timestamp() == rebuild_now - 5000);
                CHECK(b.max_timestamp() == rebuild_now - 5000 + 40);
                CHECK(one_batch_records(out) == expected);
                CHECK(expected.size() == 4);
                // The rebuilt batch is one a Produce would accept as it is.
                byte_buffer scratch;
                produce_options o;
                o.now_ms = rebuild_now;
                CHECK(validate_produce_batches(out.data(), out.size(), o, scratch).ok());
            }
        }
    }

    TEST_CASE("the transactional bit and LogAppendTime stamp are kept") {
        test::test_batch t = rebuild_sample(compression::lz4);
        t.transactional = true;
        std::vector<uint8_t> in = test::build_batch(t);
        const std::vector<decoded_record> expected = one_batch_records(in);
        std::vector<uint8_t> out = rebuilt(in, compression::zstd, 3, timestamp_type::log_append_time);
        batch_view b(out.data(), out.size());
        CHECK(b.is_transactional());
        CHECK(b.ts_type() == timestamp_type::log_append_time);
        CHECK(b.max_timestamp() == rebuild_now);
        CHECK(b.compression_type() == compression::zstd);
        CHECK(one_batch_records(out) == expected);
    }

    TEST_CASE("a base timestamp unlike the first record's becomes the first record's") {
        // MemoryRecordsBuilder takes the base timestamp from the first record appended;
        // the absolute timestamps do not change.
        test::test_batch t = rebuild_sample(compression::none);
        for (auto& r : t.records) r.timestamp_delta += 100;
        std::vector<uint8_t> in = test::build_batch(t);
        const std::vector<decoded_record> expected = one_batch_records(in);
        std::vector<uint8_t> out = rebuilt(in, compression::gzip);
        batch_view b(out.data(), out.size());
        CHECK(b.base_timestamp() == rebuild_now - 5000 + 100);
        CHECK(b.max_timestamp() == rebuild_now - 5000 + 140);
        CHECK(one_batch_records(out) == expected);
    }

    TEST_CASE("only batches in another codec are rebuilt; uncompressed control batches never") {
        std::vector<uint8_t> gz = test::build_batch(rebuild_sample(compression::gzip));
        batch_view g(gz.data(), gz.size());
        CHECK_FALSE(needs_recompression(g, compression::gzip));
        CHECK(needs_recompression(g, compression::none));
        CHECK(needs_recompression(g, compression::zstd));

        // LogValidator: "Do not compress control records unless they are written compressed".
        test::test_batch c;
        c.control = true;
        c.records.emplace_back(std::string("\0\0\0\0", 4), std::string("\0\0\0\0\0\0", 6));
        std::vector<uint8_t> plain = test::build_batch(c);
        CHECK_FALSE(needs_recompression(batch_view(plain.data(), plain.size()), compression::zstd));
        c.codec = compression::lz4;
        std::vector<uint8_t> packed = test::build_batch(c);
        CHECK(needs_recompression(batch_view(packed.data(), packed.size()), compression::none));
    }

    TEST_CASE("compression levels change the bytes, never the records") {
        // Words drawn at random from a small vocabulary: compressible, but with enough
        // choices that a codec's effort shows in the size.
        std::mt19937 rng(11);
        const char* words[] = {"kafka ", "record ", "batch ", "offset ", "broker ", "topic ",
                               "leader ", "epoch ", "zstd ", "gzip ", "lz4 ", "snappy "};
        std::vector<uint8_t> text;
        while (text.size() < 40000) {
            const char* w = words[rng() % 12];
            text.insert(text.end(), w, w + std::strlen(w));
            if (rng() % 5 == 0) text.push_back(static_cast<uint8_t>('0' + rng() % 10));
        }
        struct level_case {
            compression c;
            std::vector<int> levels;
        };
        const level_case cases[] = {{compression::gzip, {-1, 1, 5, 9}},
                                    {compression::lz4, {1, 3, 9, 12, 17}},
                                    {compression::zstd, {-5, 1, 3, 10, 22}}};
        for (const level_case& lc : cases) {
            std::vector<size_t> sizes;
            for (int level : lc.levels) {
                CAPTURE(to_string(lc.c));
                CAPTURE(level);
                std::vector<uint8_t> out;
                REQUIRE(compress(lc.c, text.data(), text.size(), out, level));
                byte_buffer back;
                REQUIRE(decompress(lc.c, out.data(), out.size(), back, 1 << 20) == codec_status::ok);
                CHECK(std::vector<uint8_t>(back.data(), back.data() + back.size()) == text);
                sizes.push_back(out.size());
            }
            // The highest level compresses this text tighter than the lowest.
            CHECK(sizes.back() < sizes[lc.c == compression::gzip ? 1 : 0]);
        }
        // Kafka's default level is what compress() without a level has always written.
        for (compression c : all_codecs) {
            if (c == compression::none) continue;
            std::vector<uint8_t> a, b;
            REQUIRE(compress(c, text.data(), text.size(), a));
            REQUIRE(compress(c, text.data(), text.size(), b, default_level(c)));
            CHECK(a == b);
        }
    }

    TEST_CASE("a rebuilt batch at a non-default level still carries every record") {
        std::vector<uint8_t> in = test::build_batch(rebuild_sample(compression::snappy));
        const std::vector<decoded_record> expected = one_batch_records(in);
        std::vector<uint8_t> hc = rebuilt(in, compression::lz4, 12);
        CHECK(one_batch_records(hc) == expected);
        std::vector<uint8_t> in2 = test::build_batch(rebuild_sample(compression::none));
        std::vector<uint8_t> z = rebuilt(in2, compression::zstd, 19);
        CHECK(one_batch_records(z) == expected);
    }

    TEST_CASE("a recompressor that gave its buffers back rebuilds the same batch again") {
        std::vector<uint8_t> in = test::build_batch(rebuild_sample(compression::gzip));
        const std::vector<decoded_record> expected = one_batch_records(in);
        byte_buffer scratch;
        validate_for_rebuild(in, scratch);
        batch_view view(in.data(), in.size());
        batch_recompressor r;
        std::span<uint8_t> first = r.rebuild(view, validated_records(view, scratch), compression::zstd, 3);
        REQUIRE(!first.empty());
        const std::vector<uint8_t> kept(first.begin(), first.end());
        r.release_above(0);
        std::span<uint8_t> again = r.rebuild(view, validated_records(view, scratch), compression::zstd, 3);
        CHECK(std::vector<uint8_t>(again.begin(), again.end()) == kept);
        CHECK(one_batch_records(kept) == expected);
    }
}

}  // namespace eddy::record
