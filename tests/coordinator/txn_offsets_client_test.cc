// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A librdkafka transactional producer sends a group's offsets in its transactions: a
// committed transaction makes them the group's, an aborted one leaves the group's as it
// was, and they survive a restart.
#include "rdkafka_broker.h"

#include <doctest/doctest.h>

using namespace eddy::coordinator_test;

namespace {

constexpr int timeout_ms = 60000;

void ok(rd_kafka_error_t* error) {
    if (error == nullptr) return;
    const std::string what = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    FAIL(what);
}

// One transaction that only sends `offset` for in-0 as the offset of `group`.
void send_offset(rd_kafka_t* producer, const std::string& group, int64_t offset, bool commit) {
    ok(rd_kafka_begin_transaction(producer));
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, "in", 0)->offset = offset;
    rd_kafka_consumer_group_metadata_t* meta = rd_kafka_consumer_group_metadata_new(group.c_str());
    rd_kafka_error_t* sent =
        rd_kafka_send_offsets_to_transaction(producer, offsets, meta, timeout_ms);
    rd_kafka_consumer_group_metadata_destroy(meta);
    rd_kafka_topic_partition_list_destroy(offsets);
    ok(sent);
    ok(commit ? rd_kafka_commit_transaction(producer, timeout_ms)
              : rd_kafka_abort_transaction(producer, timeout_ms));
}

// The group's committed offset of in-0 as a read_committed consumer (require_stable)
// fetches it.
int64_t committed(const std::string& bootstrap, const std::string& group) {
    rk_ptr consumer = make_consumer(bootstrap, group, {{"isolation.level", "read_committed"}});
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, "in", 0);
    const rd_kafka_resp_err_t err = rd_kafka_committed(consumer.get(), parts, timeout_ms);
    const int64_t offset = parts->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(parts);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_consumer_close(consumer.get());
    return offset;
}

}  // namespace

TEST_SUITE("coordinator.librdkafka") {
    TEST_CASE("offsets sent in a committed transaction become the group's, not an aborted one's") {
        test_broker broker(
            "group.initial.rebalance.delay.ms=0\ntransaction.state.log.replication.factor=1\n"
            "transaction.state.log.min.isr=1\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "in", 1);
        }
        {
            rk_ptr producer = make_client(RD_KAFKA_PRODUCER, broker.bootstrap(),
                                          {{"transactional.id", "tx-offsets"}});
            ok(rd_kafka_init_transactions(producer.get(), timeout_ms));
            send_offset(producer.get(), "txg", 5, true);
            CHECK(committed(broker.bootstrap(), "txg") == 5);
            send_offset(producer.get(), "txg", 9, false);
            CHECK(committed(broker.bootstrap(), "txg") == 5);
            send_offset(producer.get(), "txg", 12, true);
            CHECK(committed(broker.bootstrap(), "txg") == 12);
        }
        broker.restart();
        CHECK(committed(broker.bootstrap(), "txg") == 12);
    }
}
