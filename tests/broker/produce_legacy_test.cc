// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Produce v0-v2 (magic 0/1 message sets, as pre-0.11 clients send) against a whole broker
// in this process: stored as magic-2 batches and read back with Fetch.
#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "../record/legacy_builder.h"
#include "eddy/msg/api_versions_response.h"
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"
#include "eddy/msg/fetch_request.h"
#include "eddy/msg/fetch_response.h"
#include "eddy/msg/produce_request.h"
#include "eddy/msg/produce_response.h"
#include "kafka_client.h"
#include "record/records.h"
#include "server/broker_server.h"

using namespace eddy;
namespace fs = std::filesystem;
namespace lb = eddy::test::legacy;

namespace {

// One broker on an OS-chosen loopback port over a private data dir, removed at the end.
struct legacy_broker {
    fs::path dir = fs::temp_directory_path() / ("eddy_legacy_" + std::to_string(::getpid()));
    std::unique_ptr<server::broker_server> server;
    uint16_t port = 0;

    legacy_broker() {
        fs::remove_all(dir);
        config::properties props = config::parse_properties(
            "listeners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=1\nlog.dirs=" + dir.string() + "\n");
        server = std::make_unique<server::broker_server>(config::config_from_properties(props), props);
        port = server->start().at(0).endpoint.port();
    }
    ~legacy_broker() {
        server->stop();
        fs::remove_all(dir);
    }
};

void create_topic(test::kafka_client& c, const std::string& name) {
    msg::create_topics_request r;
    msg::create_topics_request::creatable_topic t;
    t.name = name;
    t.num_partitions = 1;
    t.replication_factor = 1;
    r.topics.push_back(std::move(t));
    r.timeout_ms = 30000;
    auto resp = c.call<msg::create_topics_response>(r, 5);
    REQUIRE(resp);
    REQUIRE(resp->body.topics.at(0).error_code == 0);
}

msg::produce_response::partition_produce_response produce(test::kafka_client& c, int16_t version,
                                                          const std::string& topic,
                                                          const std::vector<uint8_t>& set) {
    msg::produce_request r;
    r.acks = 1;
    r.timeout_ms = 30000;
    auto& t = r.topic_data.emplace_back();
    t.name = topic;
    auto& p = t.partition_data.emplace_back();
    p.index = 0;
    p.records = codec::bytes_view{set.data(), set.size(), false};
    auto resp = c.call<msg::produce_response>(r, version);
    REQUIRE(resp);
    REQUIRE(resp->body.responses.size() == 1);
    REQUIRE(resp->body.responses[0].partition_responses.size() == 1);
    return resp->body.responses[0].partition_responses[0];
}

struct stored {
    std::optional<std::string> key, value;
    int64_t offset, timestamp;
    record::compression codec;
    bool operator==(const stored&) const = default;
};

// Fetch v4 from offset 0, every record of every batch. The frame is kept here because the
// decoded records point into it.
std::vector<stored> fetch_all(test::kafka_client& c, const std::string& topic) {
    msg::fetch_request r;
    r.max_wait_ms = 0;
    r.min_bytes = 1;
    auto& t = r.topics.emplace_back();
    t.topic = topic;
    auto& p = t.partitions.emplace_back();
    p.partition = 0;
    p.fetch_offset = 0;
    p.partition_max_bytes = 1 << 20;
    c.send_frame(test::encode_request(r, 4, 99));
    auto frame = c.receive_frame();
    REQUIRE(frame);
    codec::reader rd(frame->data(), frame->size());
    msg::response_header h;
    msg::fetch_response resp;
    REQUIRE(h.read(rd, msg::response_header_version(msg::fetch_request::api_key, 4)));
    REQUIRE(resp.read(rd, 4));
    const auto& part = resp.responses.at(0).partitions.at(0);
    REQUIRE(part.error_code == 0);
    std::vector<stored> out;
    record::byte_buffer scratch;
    size_t pos = 0;
    while (part.records.size - pos >= record::batch_header_size) {
        record::batch_view b(part.records.data + pos, part.records.size - pos);
        size_t n = record::log_overhead + static_cast<size_t>(b.batch_length());
        b = record::batch_view(part.records.data + pos, n);
        record::record_bytes rb = record::batch_records(b, scratch, 1 << 20);
        REQUIRE(rb.status == record::codec_status::ok);
        record::record_reader reader(rb.data, rb.size, b.records_count());
        record::record_view rv;
        while (reader.next(rv) == record::record_status::ok) {
            stored s{{}, {}, b.base_offset() + rv.offset_delta, b.base_timestamp() + rv.timestamp_delta,
                     b.compression_type()};
            if (!rv.key.is_null()) s.key = std::string(rv.key.str());
            if (!rv.value.is_null()) s.value = std::string(rv.value.str());
            out.push_back(s);
        }
        pos += n;
    }
    return out;
}

}  // namespace

TEST_SUITE("broker.produce_legacy") {
    TEST_CASE("ApiVersions offers Produce 0-11, as Kafka 3.9 does") {
        legacy_broker b;
        test::kafka_client c(b.port);
        auto v = c.call<msg::api_versions_response>(test::api_versions_request(), 3);
        REQUIRE(v);
        bool found = false;
        for (const auto& k : v->body.api_keys)
            if (k.api_key == 0) {
                found = true;
                CHECK(k.min_version == 0);
                CHECK(k.max_version == 11);
            }
        CHECK(found);
    }

    TEST_CASE("Produce v0, v1 and v2 message sets are stored and fetched back as magic 2") {
        legacy_broker b;
        test::kafka_client c(b.port);
        create_topic(c, "old");
        const int64_t ts = 1'700'000'000'000;  // CreateTime within Kafka's default bounds
        std::vector<lb::message> first = {{"a", "one"}, {std::nullopt, "two"}};
        std::vector<lb::message> second = {{"c", "three", ts + 1}, {"d", std::nullopt, ts + 2}};
        std::vector<lb::message> third = {{"e", "five", ts + 7}};

        auto r0 = produce(c, 0, "old", lb::plain_set(0, first));
        CHECK(r0.error_code == 0);
        CHECK(r0.base_offset == 0);
        auto r1 = produce(c, 1, "old", lb::compressed_set(1, record::compression::gzip, second));
        CHECK(r1.error_code == 0);
        CHECK(r1.base_offset == 2);
        auto r2 = produce(c, 2, "old", lb::compressed_set(1, record::compression::gzip, third));
        CHECK(r2.error_code == 0);
        CHECK(r2.base_offset == 4);
        CHECK(r2.log_append_time_ms == -1);  // CreateTime topic

        using record::compression;
        std::vector<stored> want = {
            {"a", "one", 0, -1, compression::none},
            {std::nullopt, "two", 1, -1, compression::none},
            {"c", "three", 2, ts + 1, compression::gzip},
            {"d", std::nullopt, 3, ts + 2, compression::gzip},
            {"e", "five", 4, ts + 7, compression::gzip},
        };
        CHECK(fetch_all(c, "old") == want);
    }

    TEST_CASE("a corrupt v2 message set is CORRUPT_MESSAGE and nothing is stored") {
        legacy_broker b;
        test::kafka_client c(b.port);
        create_topic(c, "bad");
        auto set = lb::compressed_set(1, record::compression::snappy, {{"k", "v", 1'700'000'000'000}});
        set.back() ^= 0xFF;
        auto r = produce(c, 2, "bad", set);
        CHECK(r.error_code == 2);  // CORRUPT_MESSAGE
        auto ok = produce(c, 2, "bad", lb::plain_set(1, {{"k", "v", 1'700'000'000'000}}));
        CHECK(ok.error_code == 0);
        CHECK(ok.base_offset == 0);
    }
}
