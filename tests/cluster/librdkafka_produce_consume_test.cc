// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka produces with every codec to an in-process broker and reads it all back.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "rdkafka_client.h"

using namespace eddy::cluster::test;

TEST_SUITE("cluster.librdkafka") {
    TEST_CASE("librdkafka produces with every codec and consumes every message back") {
        test_broker broker("num.network.threads=2\n");
        const uint16_t port = broker.port();
        {
            auto admin = make_client(RD_KAFKA_PRODUCER, port);
            create_topic(admin.get(), "pc", 1);
        }
        const std::vector<std::string> codecs{"none", "gzip", "snappy", "lz4", "zstd"};
        constexpr int per_codec = 50;
        for (const std::string& codec : codecs) {
            CAPTURE(codec);
            delivery d;
            auto producer = make_client(RD_KAFKA_PRODUCER, port, {{"compression.codec", codec}, {"acks", "all"}, {"linger.ms", "5"}});
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

        auto consumer = make_client(RD_KAFKA_CONSUMER, port);
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
    }
}
