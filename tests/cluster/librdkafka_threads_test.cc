// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The executor model with one and with several threads: librdkafka producers on their own
// connections write to several partitions at once and every record comes back, each
// partition in the order it was acknowledged.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "rdkafka_client.h"

using namespace eddy::cluster::test;

namespace {

constexpr int partitions = 6;
constexpr int producers = 3;
constexpr int per_producer_and_partition = 40;

// Values are "<producer>:<sequence>"; each producer sends its sequence in order.
std::string value_of(int producer, int seq) {
    return std::to_string(producer) + ":" + std::to_string(seq);
}

void produce_all(uint16_t port) {
    std::vector<rk_ptr> clients;
    std::vector<delivery> reports(producers);
    // Several clients, hence several connections, spread over the network threads.
    for (int p = 0; p < producers; ++p)
        clients.push_back(make_client(RD_KAFKA_PRODUCER, port, {{"acks", "all"}, {"linger.ms", "2"}}));
    for (int seq = 0; seq < per_producer_and_partition; ++seq) {
        for (int p = 0; p < producers; ++p) {
            for (int32_t part = 0; part < partitions; ++part) {
                std::string value = value_of(p, seq);
                rd_kafka_resp_err_t err = rd_kafka_producev(
                    clients[p].get(), RD_KAFKA_V_TOPIC("threads"), RD_KAFKA_V_PARTITION(part),
                    RD_KAFKA_V_VALUE(value.data(), value.size()),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&reports[p]),
                    RD_KAFKA_V_END);
                REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
            }
        }
    }
    for (int p = 0; p < producers; ++p) {
        REQUIRE(rd_kafka_flush(clients[p].get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
        CHECK(reports[p].delivered == partitions * per_producer_and_partition);
        CHECK(reports[p].failed == 0);
    }
}

// Reads every partition from the start through one queue; returns the values per
// partition in offset order, checking the offsets have no gap.
std::map<int32_t, std::vector<std::string>> consume_all(uint16_t port) {
    constexpr int64_t expected = int64_t{producers} * per_producer_and_partition;
    auto consumer = make_client(RD_KAFKA_CONSUMER, port);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(consumer.get(), "threads", nullptr);
    rd_kafka_queue_t* queue = rd_kafka_queue_new(consumer.get());
    for (int32_t part = 0; part < partitions; ++part)
        REQUIRE(rd_kafka_consume_start_queue(rkt, part, RD_KAFKA_OFFSET_BEGINNING, queue) == 0);
    std::map<int32_t, std::vector<std::string>> values;
    std::map<int32_t, int64_t> next;
    int64_t total = 0;
    // Bounded only against a hang: every message is expected.
    for (int polls = 0; polls < 3000 && total < expected * partitions; ++polls) {
        rd_kafka_message_t* m = rd_kafka_consume_queue(queue, 100);
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            CHECK(m->offset == next[m->partition]);
            next[m->partition] = m->offset + 1;
            values[m->partition].emplace_back(static_cast<const char*>(m->payload), m->len);
            ++total;
        }
        rd_kafka_message_destroy(m);
    }
    for (int32_t part = 0; part < partitions; ++part) rd_kafka_consume_stop(rkt, part);
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(rkt);
    return values;
}

// Every record of every producer is in each partition once, and each producer's records
// appear in the order it sent them.
void check_order(const std::map<int32_t, std::vector<std::string>>& values) {
    REQUIRE(values.size() == static_cast<size_t>(partitions));
    for (const auto& [part, got] : values) {
        CAPTURE(part);
        CHECK(got.size() == static_cast<size_t>(producers * per_producer_and_partition));
        std::vector<int> next_seq(producers, 0);
        for (const std::string& v : got) {
            const size_t colon = v.find(':');
            REQUIRE(colon != std::string::npos);
            const int p = std::stoi(v.substr(0, colon));
            REQUIRE(p >= 0);
            REQUIRE(p < producers);
            CHECK(v == value_of(p, next_seq[p]));
            ++next_seq[p];
        }
        for (int p = 0; p < producers; ++p) CHECK(next_seq[p] == per_producer_and_partition);
    }
}

void round_trip(const std::string& threads) {
    test_broker broker(threads);
    {
        auto admin = make_client(RD_KAFKA_PRODUCER, broker.port());
        create_topic(admin.get(), "threads", partitions);
    }
    produce_all(broker.port());
    check_order(consume_all(broker.port()));
}

}  // namespace

TEST_SUITE("cluster.threads") {
    TEST_CASE("one network thread and one partition thread serve several partitions in order") {
        round_trip("num.network.threads=1\nnum.io.threads=1\n");
    }

    TEST_CASE("several network and partition threads serve several partitions in order") {
        round_trip("num.network.threads=3\nnum.io.threads=4\n");
    }
}
