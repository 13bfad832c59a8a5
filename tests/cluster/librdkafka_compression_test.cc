// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka (up to 2.11) compresses with gzip, snappy and lz4 only when the broker offers
// Produce v0: against a broker offering 3-11 it sends those codecs uncompressed without
// saying so. This proves the batches really reach the log compressed, and read back.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "rdkafka_client.h"
#include "record/batch.h"
#include "record/endian.h"

using namespace eddy::cluster::test;
namespace fs = std::filesystem;

namespace {

// The segment files of `topic`-0 under this process's test brokers (test_broker puts its
// log directory at <tmp>/eddy_rdk_<pid>_<random>; only one broker runs at a time here).
std::vector<fs::path> segment_files(const std::string& topic) {
    const std::string prefix = "eddy_rdk_" + std::to_string(::getpid()) + "_";
    std::vector<fs::path> out;
    for (const auto& d : fs::directory_iterator(fs::temp_directory_path())) {
        if (d.path().filename().string().rfind(prefix, 0) != 0) continue;
        fs::path part = d.path() / (topic + "-0");
        if (!fs::exists(part)) continue;
        for (const auto& f : fs::directory_iterator(part))
            if (f.path().extension() == ".log") out.push_back(f.path());
    }
    return out;
}

// The codec bits of every batch stored for `topic`-0.
std::vector<eddy::record::compression> stored_codecs(const std::string& topic) {
    namespace rec = eddy::record;
    std::vector<rec::compression> out;
    for (const fs::path& f : segment_files(topic)) {
        std::ifstream in(f, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        size_t pos = 0;
        while (bytes.size() - pos >= rec::batch_header_size) {
            auto length = static_cast<int32_t>(rec::be::load32(bytes.data() + pos + rec::field::batch_length));
            if (length < rec::min_batch_length) break;  // zeroed tail of a preallocated file
            rec::batch_view b(bytes.data() + pos, rec::log_overhead + static_cast<size_t>(length));
            out.push_back(b.compression_type());
            pos += rec::log_overhead + static_cast<size_t>(length);
        }
    }
    return out;
}

// The values of `topic`-0 from the start; with `timestamps`, their timestamps too.
std::vector<std::string> consume_all(rd_kafka_t* consumer, const std::string& topic, int64_t count,
                                     std::vector<int64_t>* timestamps = nullptr) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(consumer, topic.c_str(), nullptr);
    REQUIRE(rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) == 0);
    std::vector<std::string> values;
    // Bounded only against a hang: every message is expected.
    for (int polls = 0; polls < 2000 && static_cast<int64_t>(values.size()) < count; ++polls) {
        rd_kafka_message_t* m = rd_kafka_consume(rkt, 0, 100);
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            values.emplace_back(static_cast<const char*>(m->payload), m->len);
            if (timestamps) timestamps->push_back(rd_kafka_message_timestamp(m, nullptr));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    return values;
}

// Creates `topic` and produces `count` compressible keyed values to its partition 0 with
// `extra` producer settings (the codec among them); returns the values sent, all delivered.
std::vector<std::string> produce_to(uint16_t port, const std::string& topic, const std::string& codec,
                                    int count, const settings& extra) {
    {
        auto admin = make_client(RD_KAFKA_PRODUCER, port);
        create_topic(admin.get(), topic, 1);
    }
    settings conf = extra;
    conf.push_back({"compression.codec", codec});
    // One batch per flush: linger long enough that the messages travel together.
    conf.push_back({"linger.ms", "50"});
    auto producer = make_client(RD_KAFKA_PRODUCER, port, conf);
    delivery d;
    std::vector<std::string> sent;
    for (int i = 0; i < count; ++i) {
        // Compressible values, so that no codec falls back to storing them as they are.
        sent.push_back(codec + "-" + std::to_string(i) + std::string(200, 'x'));
        std::string key = "k" + std::to_string(i);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(sent.back().data(), sent.back().size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
        REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    REQUIRE(rd_kafka_flush(producer.get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    REQUIRE(d.delivered == count);
    return sent;
}

using eddy::record::compression;
const std::vector<std::pair<std::string, compression>> legacy_codecs{
    {"gzip", compression::gzip}, {"snappy", compression::snappy}, {"lz4", compression::lz4}};

}  // namespace

TEST_SUITE("cluster.librdkafka") {
    TEST_CASE("librdkafka's gzip, snappy and lz4 batches are stored compressed and read back") {
        test_broker broker;
        for (const auto& [name, codec] : legacy_codecs) {
            CAPTURE(name);
            const std::string topic = "compressed-" + name;
            std::vector<std::string> sent = produce_to(broker.port(), topic, name, 30, {{"acks", "all"}});
            std::vector<compression> stored = stored_codecs(topic);
            REQUIRE_FALSE(stored.empty());
            for (compression c : stored) CHECK(c == codec);
            auto consumer = make_client(RD_KAFKA_CONSUMER, broker.port());
            CHECK(consume_all(consumer.get(), topic, 30) == sent);
        }
    }

    TEST_CASE("librdkafka speaking Produce v1 with magic-0 message sets is read back as magic 2") {
        test_broker broker;
        // Without ApiVersions librdkafka takes the fallback broker version's protocol: 0.9.0
        // is Produce v1 with magic-0 sets (lz4 with the old header checksum). From 0.10.0 on
        // it asks ApiVersions anyway and sends magic 2, so magic 1 is left to the raw tests.
        const settings old_protocol{{"api.version.request", "false"}, {"broker.version.fallback", "0.9.0"}};
        auto codecs = legacy_codecs;
        codecs.push_back({"none", compression::none});
        for (const auto& [name, codec] : codecs) {
            CAPTURE(name);
            const std::string topic = "magic0-" + name;
            std::vector<std::string> sent = produce_to(broker.port(), topic, name, 20, old_protocol);
            for (compression c : stored_codecs(topic)) CHECK(c == codec);
            auto consumer = make_client(RD_KAFKA_CONSUMER, broker.port());
            std::vector<int64_t> timestamps;
            CHECK(consume_all(consumer.get(), topic, 20, &timestamps) == sent);
            // Magic 0 has no timestamps: stored as -1, as Kafka stores them.
            CHECK(timestamps == std::vector<int64_t>(20, -1));
        }
    }
}
