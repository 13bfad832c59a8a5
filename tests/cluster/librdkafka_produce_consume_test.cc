// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka produces with every codec to an in-process broker and reads it all back.
#include <doctest/doctest.h>

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "server/broker_server.h"

using namespace eddy;
namespace fs = std::filesystem;

namespace {

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*);

rk_ptr make(rd_kafka_type_t type, uint16_t port,
            const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[512];
    std::string servers = "127.0.0.1:" + std::to_string(port);
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", servers.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
    for (const auto& [k, v] : extra)
        REQUIRE_MESSAGE(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK, err);
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    REQUIRE_MESSAGE(rk != nullptr, err);
    return rk_ptr(rk);
}

void create_topic(rd_kafka_t* rk, const std::string& name, int partitions) {
    char err[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof err);
    REQUIRE(nt != nullptr);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    REQUIRE(ev != nullptr);
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    REQUIRE(res != nullptr);
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
    REQUIRE(n == 1);
    CHECK(rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

struct delivery {
    int delivered = 0;
    int failed = 0;
};

// The per-message opaque is the test's delivery counter.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto* d = static_cast<delivery*>(m->_private);
    if (m->err) ++d->failed;
    else ++d->delivered;
}

}  // namespace

TEST_SUITE("cluster.librdkafka") {
    TEST_CASE("librdkafka produces with every codec and consumes every message back") {
        std::random_device rd;
        fs::path dir = fs::temp_directory_path() / ("eddy_rdk_pc_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
        fs::remove_all(dir);
        auto cfg = config::config_from_properties(config::parse_properties(
            "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=2\nlog.dirs=" + dir.string() + "\n"));
        server::broker_server server(cfg);
        uint16_t port = server.start().at(0).endpoint.port();
        {
            auto admin = make(RD_KAFKA_PRODUCER, port);
            create_topic(admin.get(), "pc", 1);
        }
        const std::vector<std::string> codecs{"none", "gzip", "snappy", "lz4", "zstd"};
        constexpr int per_codec = 50;
        for (const std::string& codec : codecs) {
            CAPTURE(codec);
            delivery d;
            auto producer = make(RD_KAFKA_PRODUCER, port, {{"compression.codec", codec}, {"acks", "all"}, {"linger.ms", "5"}});
            for (int i = 0; i < per_codec; ++i) {
                std::string value = codec + "-" + std::to_string(i);
                rd_kafka_resp_err_t err = rd_kafka_producev(
                    producer.get(), RD_KAFKA_V_TOPIC("pc"), RD_KAFKA_V_PARTITION(0),
                    RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
                REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
            }
            REQUIRE(rd_kafka_flush(producer.get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
            CHECK(d.delivered == per_codec);
            CHECK(d.failed == 0);
        }

        auto consumer = make(RD_KAFKA_CONSUMER, port);
        int64_t low = -1, high = -1;
        REQUIRE(rd_kafka_query_watermark_offsets(consumer.get(), "pc", 0, &low, &high, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
        CHECK(low == 0);
        CHECK(high == per_codec * static_cast<int64_t>(codecs.size()));

        rd_kafka_topic_t* rkt = rd_kafka_topic_new(consumer.get(), "pc", nullptr);
        REQUIRE(rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) == 0);
        std::vector<std::string> values;
        int64_t next = 0;
        // Bounded only against a hang: every message is expected.
        for (int polls = 0; polls < 2000 && next < high; ++polls) {
            rd_kafka_message_t* m = rd_kafka_consume(rkt, 0, 100);
            if (m == nullptr) continue;
            if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                CHECK(m->offset == next);
                next = m->offset + 1;
                values.emplace_back(static_cast<const char*>(m->payload), m->len);
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_consume_stop(rkt, 0);
        rd_kafka_topic_destroy(rkt);
        REQUIRE(values.size() == per_codec * codecs.size());
        CHECK(values.front() == "none-0");
        CHECK(values.back() == "zstd-" + std::to_string(per_codec - 1));
        consumer.reset();
        server.stop();
        fs::remove_all(dir);
    }
}
