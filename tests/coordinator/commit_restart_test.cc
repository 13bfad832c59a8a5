// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Committed offsets live in __consumer_offsets and survive a broker restart.
#include <doctest/doctest.h>

#include "rdkafka_broker.h"

using namespace eddy::coordinator_test;

namespace {

// The next message a fresh member of `group` reads, after consuming `take` of them and
// committing (take 0: only reads the first).
int64_t consume_and_commit(const std::string& bootstrap, const std::string& group, int take,
                           std::string* first_value = nullptr) {
    rk_ptr consumer = make_consumer(bootstrap, group, {{"enable.auto.commit", "false"}});
    subscribe(consumer.get(), "durable");
    int64_t first = -1;
    int got = 0;
    for (int polls = 0; polls < 3000 && got < std::max(take, 1); ++polls) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 50);
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (first < 0) {
                first = m->offset;
                if (first_value) first_value->assign(static_cast<const char*>(m->payload), m->len);
            }
            // enable.auto.offset.store keeps offset + 1 of each message handed out for the
            // synchronous commit below.
            ++got;
        }
        rd_kafka_message_destroy(m);
    }
    REQUIRE(got == std::max(take, 1));
    if (take > 0) REQUIRE(rd_kafka_commit(consumer.get(), nullptr, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(rd_kafka_consumer_close(consumer.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
    return first;
}

}  // namespace

TEST_SUITE("coordinator.librdkafka") {
    TEST_CASE("a committed offset survives a broker restart and the group resumes there") {
        test_broker broker("group.initial.rebalance.delay.ms=0\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "durable", 1);
        }
        std::vector<std::string> values;
        for (int i = 0; i < 100; ++i) values.push_back("v" + std::to_string(i));
        produce(broker.bootstrap(), "durable", 1, values);

        CHECK(consume_and_commit(broker.bootstrap(), "resumers", 40) == 0);

        broker.restart();
        std::string value;
        CHECK(consume_and_commit(broker.bootstrap(), "resumers", 0, &value) == 40);
        CHECK(value == "v40");
    }
}
