// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka consumers in one group share a topic through the broker's group coordinator.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "rdkafka_broker.h"

using namespace eddy::coordinator_test;

namespace {

std::set<int32_t> assigned(rd_kafka_t* consumer) {
    rd_kafka_topic_partition_list_t* list = nullptr;
    std::set<int32_t> out;
    if (rd_kafka_assignment(consumer, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
    for (int i = 0; i < list->cnt; ++i) out.insert(list->elems[i].partition);
    rd_kafka_topic_partition_list_destroy(list);
    return out;
}

}  // namespace

TEST_SUITE("coordinator.librdkafka") {
    TEST_CASE("three consumers of one group split a six-partition topic and read every message once") {
        // No initial rebalance delay: the group forms as soon as its members join.
        test_broker broker("group.initial.rebalance.delay.ms=0\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "shared", 6);
        }
        std::vector<rk_ptr> consumers;
        for (int i = 0; i < 3; ++i) {
            consumers.push_back(make_consumer(broker.bootstrap(), "sharers"));
            subscribe(consumers.back().get(), "shared");
        }

        // Poll every member until the group is stable: each owns partitions, none twice,
        // all six covered. Bounded only against a hang.
        std::vector<std::set<int32_t>> owned(3);
        auto settled = [&] {
            std::set<int32_t> all;
            size_t total = 0;
            for (int i = 0; i < 3; ++i) {
                owned[i] = assigned(consumers[i].get());
                if (owned[i].empty()) return false;
                total += owned[i].size();
                all.insert(owned[i].begin(), owned[i].end());
            }
            return total == 6 && all.size() == 6;
        };
        for (int round = 0; round < 600 && !settled(); ++round) {
            for (auto& c : consumers)
                if (rd_kafka_message_t* m = rd_kafka_consumer_poll(c.get(), 50)) rd_kafka_message_destroy(m);
        }
        REQUIRE(settled());

        constexpr int count = 600;
        std::vector<std::string> values;
        for (int i = 0; i < count; ++i) values.push_back("m" + std::to_string(i));
        produce(broker.bootstrap(), "shared", 6, values);

        std::map<std::string, int> seen;
        int received = 0;
        for (int round = 0; round < 3000 && received < count; ++round) {
            for (int i = 0; i < 3; ++i) {
                rd_kafka_message_t* m = rd_kafka_consumer_poll(consumers[i].get(), 20);
                if (m == nullptr) continue;
                if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    CHECK(owned[i].count(m->partition) == 1);
                    ++seen[std::string(static_cast<const char*>(m->payload), m->len)];
                    ++received;
                }
                rd_kafka_message_destroy(m);
            }
        }
        CHECK(received == count);
        CHECK(seen.size() == static_cast<size_t>(count));
        for (const auto& [value, times] : seen) CHECK_MESSAGE(times == 1, value);
        for (auto& c : consumers) CHECK(rd_kafka_consumer_close(c.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
}
