// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The topic config compression.type through Produce and Fetch: batches are stored in the
// topic's codec whatever the producer sent (Kafka's LogValidator), `producer` keeps the
// producer's, and the records a consumer reads back are the ones produced.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "../record/legacy_builder.h"
#include "batch_builder.h"
#include "cluster_fixture.h"
#include "eddy/error_code.h"
#include "error_code_value.h"
#include "record/records.h"

namespace eddy::cluster::test {
namespace {

using metadata::resource_type;
using record::compression;

using record::test::all_codecs;
using record::test::decoded_record;

// compression.type's name for a codec.
std::string config_name(compression c) {
    return c == compression::none ? "uncompressed" : std::string(to_string(c));
}

// Every record of every batch a Fetch returned, with absolute offsets.
std::vector<decoded_record> records_in(const codec::bytes_view& bytes) {
    return record::test::decode_records({bytes.data, bytes.null ? 0 : bytes.size});
}

// Keyed records with headers, a null key, a tombstone and distinct timestamps, compressible.
record::test::test_batch rich_batch(compression codec, int64_t base_timestamp, int tag) {
    record::test::test_batch b;
    b.codec = codec;
    b.base_timestamp = base_timestamp;
    const std::string t = std::to_string(tag);
    b.records.emplace_back("key-" + t, "value " + t + std::string(400, 'x'), 0,
                           std::vector<record::test::test_header>{{"trace", "id-" + t}, {"empty", std::nullopt}});
    b.records.emplace_back(std::nullopt, std::string(800, 'y'), 7);
    b.records.emplace_back("gone-" + t, std::nullopt, 3);
    b.records.emplace_back("last-" + t, "v", 11, std::vector<record::test::test_header>{{"h", ""}});
    return b;
}

// What the consumer must read back for a batch produced at `base_offset`.
std::vector<decoded_record> expected_records(const record::test::test_batch& b, int64_t base_offset) {
    std::vector<uint8_t> bytes = record::test::build_batch(b);
    codec::bytes_view view{bytes.data(), bytes.size(), false};
    std::vector<decoded_record> out = records_in(view);
    for (auto& r : out) r.offset += base_offset;
    return out;
}

msg::produce_response::partition_produce_response answer(const msg::produce_response& r) {
    return r.responses.at(0).partition_responses.at(0);
}

}  // namespace

TEST_SUITE("cluster.topic_compression") {
    TEST_CASE("each topic codec stores every producer codec's batch in its own, records unchanged") {
        cluster_fixture f;
        for (compression topic_codec : all_codecs) {
            const std::string topic = "t-" + config_name(topic_codec);
            CAPTURE(topic);
            f.create_topic({.name = topic, .configs = {{"compression.type", config_name(topic_codec)}}});
            std::vector<decoded_record> expected;
            int64_t offset = 0;
            int tag = 0;
            for (compression sent : all_codecs) {
                CAPTURE(to_string(sent));
                record::test::test_batch b = rich_batch(sent, now_ms() - 1000, tag++);
                const auto pr = answer(f.produce(topic, 0, record::test::build_batch(b)));
                REQUIRE(pr.error_code == 0);
                CHECK(pr.base_offset == offset);
                CHECK(pr.log_append_time_ms == -1);
                for (auto& r : expected_records(b, offset)) expected.push_back(std::move(r));
                offset += 4;
            }
            fetched got = f.fetch_one(topic, 0, 0);
            REQUIRE(got.partition().error_code == 0);
            CHECK(got.partition().high_watermark == offset);
            std::vector<seen_batch> batches = batches_in(got.partition().records);
            REQUIRE(batches.size() == 5);
            for (size_t i = 0; i < batches.size(); ++i) {
                CHECK(batches[i].codec == topic_codec);
                CHECK(batches[i].base_offset == static_cast<int64_t>(4 * i));
                CHECK(batches[i].last_offset == static_cast<int64_t>(4 * i + 3));
            }
            CHECK(records_in(got.partition().records) == expected);
        }
    }

    TEST_CASE("a zstd topic answers Fetch below v10 with UNSUPPORTED_COMPRESSION_TYPE") {
        cluster_fixture f;
        f.create_topic({.name = "z", .configs = {{"compression.type", "zstd"}}});
        f.create_topic({.name = "g", .configs = {{"compression.type", "gzip"}}});
        for (const char* topic : {"z", "g"}) {
            REQUIRE(answer(f.produce(topic, 0, record::test::build_batch(rich_batch(compression::none, now_ms(), 1))))
                        .error_code == 0);
        }
        auto request = [](const char* topic) {
            msg::fetch_request req;
            req.max_bytes = 1 << 20;
            auto& t = req.topics.emplace_back();
            t.topic = topic;
            auto& p = t.partitions.emplace_back();
            p.partition = 0;
            p.partition_max_bytes = 1 << 20;
            return req;
        };
        fetched old_z = f.fetch(request("z"), 9);
        CHECK(old_z.partition().error_code == code(error_code::unsupported_compression_type));
        CHECK(old_z.partition().high_watermark == -1);
        CHECK(f.fetch(request("z"), 10).partition().error_code == 0);
        CHECK(f.fetch(request("g"), 9).partition().error_code == 0);
    }

    TEST_CASE("compression.type=producer (the default) keeps the producer's codec") {
        cluster_fixture f;
        f.create_topic({.name = "default"});
        f.create_topic({.name = "explicit", .configs = {{"compression.type", "producer"}}});
        for (const char* topic : {"default", "explicit"}) {
            CAPTURE(topic);
            for (compression sent : all_codecs)
                REQUIRE(f.produce_error(topic, 0, simple_batch(3, 200, sent)) == 0);
            std::vector<seen_batch> batches = batches_in(f.fetch_one(topic, 0, 0).partition().records);
            REQUIRE(batches.size() == 5);
            for (size_t i = 0; i < 5; ++i) CHECK(batches[i].codec == all_codecs[i]);
        }
    }

    TEST_CASE("an idempotent producer's retry of a recompressed batch is a duplicate") {
        cluster_fixture f;
        f.create_topic({.name = "idem", .configs = {{"compression.type", "zstd"}}});
        auto batch = [](int32_t seq) {
            record::test::test_batch b = rich_batch(compression::gzip, now_ms(), seq);
            b.producer_id = 9000;
            b.producer_epoch = 0;
            b.base_sequence = seq;
            return record::test::build_batch(b);
        };
        REQUIRE(answer(f.produce("idem", 0, batch(0))).error_code == 0);
        REQUIRE(answer(f.produce("idem", 0, batch(4))).error_code == 0);
        const auto retry = answer(f.produce("idem", 0, batch(4)));
        CHECK(retry.error_code == 0);
        CHECK(retry.base_offset == 4);
        CHECK(f.log_of("idem", 0).log_end == 8);
        CHECK(answer(f.produce("idem", 0, batch(12))).error_code ==
              code(error_code::out_of_order_sequence_number));
        std::vector<seen_batch> batches = batches_in(f.fetch_one("idem", 0, 0).partition().records);
        REQUIRE(batches.size() == 2);
        CHECK(batches[1].codec == compression::zstd);
    }

    TEST_CASE("a compression.type change applies to later batches; a broker default to topics without one") {
        cluster_fixture f;
        f.create_topic({.name = "live"});
        f.create_topic({.name = "own", .configs = {{"compression.type", "gzip"}}});
        REQUIRE(f.produce_error("live", 0, simple_batch(2, 100, compression::snappy)) == 0);
        f.alter_configs(resource_type::topic, "live", {{"compression.type", "lz4"}});
        REQUIRE(f.produce_error("live", 0, simple_batch(2, 100, compression::snappy)) == 0);
        // The cluster-wide broker default (the topic config's synonym) for topics without one.
        f.alter_configs(resource_type::topic, "live", {{"compression.type", std::nullopt}});
        f.alter_configs(resource_type::broker, "", {{"compression.type", "uncompressed"}});
        REQUIRE(f.produce_error("live", 0, simple_batch(2, 100, compression::snappy)) == 0);
        REQUIRE(f.produce_error("own", 0, simple_batch(2, 100, compression::snappy)) == 0);

        std::vector<seen_batch> live = batches_in(f.fetch_one("live", 0, 0).partition().records);
        REQUIRE(live.size() == 3);
        CHECK(live[0].codec == compression::snappy);  // stored before the change: as it was
        CHECK(live[1].codec == compression::lz4);
        CHECK(live[2].codec == compression::none);
        std::vector<seen_batch> own = batches_in(f.fetch_one("own", 0, 0).partition().records);
        REQUIRE(own.size() == 1);
        CHECK(own[0].codec == compression::gzip);  // the topic's own value wins
    }

    TEST_CASE("compression.<codec>.level is used when the broker compresses") {
        cluster_fixture f;
        // Compressible, but not trivially: the levels make different bytes.
        record::test::test_batch b;
        b.base_timestamp = now_ms();
        for (int i = 0; i < 200; ++i) {
            std::string v;
            for (int j = 0; j < 60; ++j) v += std::to_string((i * 31 + j * j) % 97) + ",";
            b.records.emplace_back("k" + std::to_string(i % 13), v);
        }
        const std::vector<decoded_record> expected = expected_records(b, 0);
        auto stored_size = [&](const std::string& topic, std::map<std::string, std::string> configs,
                               compression want) {
            f.create_topic({.name = topic, .configs = std::move(configs)});
            REQUIRE(f.produce_error(topic, 0, record::test::build_batch(b)) == 0);
            fetched got = f.fetch_one(topic, 0, 0);
            std::vector<seen_batch> batches = batches_in(got.partition().records);
            REQUIRE(batches.size() == 1);
            CHECK(batches[0].codec == want);
            CHECK(records_in(got.partition().records) == expected);
            return batches[0].size;
        };
        const size_t zstd_low = stored_size("z1", {{"compression.type", "zstd"}, {"compression.zstd.level", "-5"}}, compression::zstd);
        const size_t zstd_high = stored_size("z19", {{"compression.type", "zstd"}, {"compression.zstd.level", "19"}}, compression::zstd);
        CHECK(zstd_high < zstd_low);
        const size_t gzip_low = stored_size("g1", {{"compression.type", "gzip"}, {"compression.gzip.level", "1"}}, compression::gzip);
        const size_t gzip_high = stored_size("g9", {{"compression.type", "gzip"}, {"compression.gzip.level", "9"}}, compression::gzip);
        CHECK(gzip_high < gzip_low);
        const size_t lz4_fast = stored_size("l9", {{"compression.type", "lz4"}, {"compression.lz4.level", "9"}}, compression::lz4);
        const size_t lz4_hc = stored_size("l17", {{"compression.type", "lz4"}, {"compression.lz4.level", "17"}}, compression::lz4);
        CHECK(lz4_hc < lz4_fast);
        // Another codec's level does not matter to a snappy topic.
        stored_size("s", {{"compression.type", "snappy"}, {"compression.zstd.level", "19"}}, compression::snappy);
    }

    TEST_CASE("Produce v0-v2 message sets end up in the topic's codec too") {
        // librdkafka still sends these for gzip, snappy and lz4 when it negotiates old versions;
        // Kafka converts them to magic 2 in the topic's codec (or the wrapper's under `producer`).
        namespace lb = eddy::test::legacy;
        cluster_fixture f;
        f.create_topic({.name = "old", .configs = {{"compression.type", "zstd"}}});
        const int64_t ts = now_ms() - 500;
        const std::vector<lb::message> msgs = {{"a", "1", ts}, {std::nullopt, "2", ts + 1}, {"c", std::nullopt, ts + 2}};
        REQUIRE(answer(f.produce("old", 0, lb::compressed_set(1, compression::gzip, msgs), -1, 2)).error_code == 0);
        REQUIRE(answer(f.produce("old", 0, lb::plain_set(1, msgs), -1, 2)).error_code == 0);
        REQUIRE(answer(f.produce("old", 0, lb::compressed_set(0, compression::snappy, msgs), -1, 0)).error_code == 0);
        fetched got = f.fetch_one("old", 0, 0);
        std::vector<seen_batch> batches = batches_in(got.partition().records);
        REQUIRE(batches.size() == 3);
        for (const seen_batch& b : batches) CHECK(b.codec == compression::zstd);
        std::vector<decoded_record> seen = records_in(got.partition().records);
        REQUIRE(seen.size() == 9);
        for (size_t i = 0; i < seen.size(); ++i) {
            CAPTURE(i);
            CHECK(seen[i].offset == static_cast<int64_t>(i));
            CHECK(seen[i].key == msgs[i % 3].key);
            CHECK(seen[i].value == msgs[i % 3].value);
            CHECK(seen[i].timestamp == (i < 6 ? msgs[i % 3].timestamp : -1));  // magic 0 has none
        }
    }

    TEST_CASE("a LogAppendTime topic stamps the rebuilt batch and answers the append time") {
        cluster_fixture f;
        f.create_topic({.name = "lat", .configs = {{"message.timestamp.type", "LogAppendTime"},
                                                   {"compression.type", "snappy"}}});
        const int64_t before = now_ms();
        const auto pr = answer(f.produce("lat", 0, simple_batch(3, 50, compression::zstd, 1000)));
        REQUIRE(pr.error_code == 0);
        CHECK(pr.base_offset == 0);
        CHECK(pr.log_append_time_ms >= before);
        std::vector<seen_batch> batches = batches_in(f.fetch_one("lat", 0, 0).partition().records);
        REQUIRE(batches.size() == 1);
        CHECK(batches[0].codec == compression::snappy);
        CHECK(batches[0].max_timestamp == pr.log_append_time_ms);
    }

    TEST_CASE("a batch over max.message.bytes once decompressed gets MESSAGE_TOO_LARGE") {
        // UnifiedLog.append checks the size again after the validator rebuilt the batch.
        cluster_fixture f;
        f.create_topic({.name = "big", .configs = {{"compression.type", "uncompressed"},
                                                   {"max.message.bytes", "20000"}}});
        std::vector<uint8_t> packed = simple_batch(10, 5000, compression::gzip);
        REQUIRE(packed.size() < 20000);
        const auto pr = answer(f.produce("big", 0, packed));
        CHECK(pr.error_code == code(error_code::message_too_large));
        CHECK(f.log_of("big", 0).log_end == 0);
        CHECK(f.produce_error("big", 0, simple_batch(2, 1000, compression::gzip)) == 0);
    }
}

}  // namespace eddy::cluster::test
