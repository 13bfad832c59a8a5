// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A librdkafka transactional producer against an in-process broker: it finds its
// transaction coordinator, gets a producer id, and commits and aborts transactions.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "rdkafka_client.h"

using namespace eddy::cluster::test;

namespace {

// A few __transaction_state partitions keep the first FindCoordinator quick.
constexpr const char* broker_properties = "transaction.state.log.num.partitions=3\n";

// An rd_kafka_error_t* that must be null; its text otherwise.
void require_ok(rd_kafka_error_t* error, const char* what) {
    std::string text = error ? rd_kafka_error_string(error) : "";
    if (error) rd_kafka_error_destroy(error);
    REQUIRE_MESSAGE(text.empty(), what, ": ", text);
}

void produce_some(rd_kafka_t* producer, const std::string& topic, int count, delivery* counted) {
    for (int i = 0; i < count; ++i) {
        std::string value = "v" + std::to_string(i);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(i % 2),
            RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(counted), RD_KAFKA_V_END);
        REQUIRE(e == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
}

// Reads both partitions of `topic` from the start to their end as a read_committed
// consumer: the values it was given.
std::vector<std::string> read_committed(const std::string& bootstrap, const std::string& topic) {
    rk_ptr consumer = make_client(RD_KAFKA_CONSUMER, bootstrap,
                                  {{"group.id", "reader"},
                                   {"isolation.level", "read_committed"},
                                   {"enable.partition.eof", "true"},
                                   {"auto.offset.reset", "earliest"}});
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(2);
    for (int32_t p = 0; p < 2; ++p)
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    REQUIRE(rd_kafka_assign(consumer.get(), list) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    std::vector<std::string> values;
    std::set<int32_t> at_end;
    // Bounded only against a hang.
    for (int i = 0; i < 600 && at_end.size() < 2; ++i) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
        if (m == nullptr) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) at_end.insert(m->partition);
        else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
            values.emplace_back(static_cast<const char*>(m->payload), m->len);
        rd_kafka_message_destroy(m);
    }
    CHECK(at_end.size() == 2);
    rd_kafka_consumer_close(consumer.get());
    return values;
}

}  // namespace

TEST_SUITE("txn.librdkafka") {
    TEST_CASE("a transactional producer commits one transaction and aborts the next") {
        test_broker broker(broker_properties);
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "txt", 2);
        }
        rk_ptr producer = make_client(RD_KAFKA_PRODUCER, broker.bootstrap(),
                                      {{"transactional.id", "t-1"}});
        require_ok(rd_kafka_init_transactions(producer.get(), 60000), "init_transactions");

        delivery committed;
        require_ok(rd_kafka_begin_transaction(producer.get()), "begin_transaction");
        produce_some(producer.get(), "txt", 10, &committed);
        require_ok(rd_kafka_commit_transaction(producer.get(), 60000), "commit_transaction");
        CHECK(committed.delivered == 10);
        CHECK(committed.failed == 0);

        // The second transaction starts only once the first one's markers are written
        // (AddPartitionsToTxn answers CONCURRENT_TRANSACTIONS until then).
        delivery aborted;
        require_ok(rd_kafka_begin_transaction(producer.get()), "begin_transaction");
        produce_some(producer.get(), "txt", 5, &aborted);
        REQUIRE(rd_kafka_flush(producer.get(), 60000) == RD_KAFKA_RESP_ERR_NO_ERROR);
        require_ok(rd_kafka_abort_transaction(producer.get(), 60000), "abort_transaction");
        CHECK(aborted.delivered == 5);

        // A read_committed consumer gets the ten committed messages and none of the
        // aborted ones (the markers ended both transactions in both partitions).
        std::vector<std::string> seen = read_committed(broker.bootstrap(), "txt");
        std::sort(seen.begin(), seen.end());
        std::vector<std::string> expected;
        for (int i = 0; i < 10; ++i) expected.push_back("v" + std::to_string(i));
        std::sort(expected.begin(), expected.end());
        CHECK(seen == expected);
    }

    TEST_CASE("a second producer with the same transactional id fences the first") {
        test_broker broker(broker_properties);
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "txt", 2);
        }
        rk_ptr first = make_client(RD_KAFKA_PRODUCER, broker.bootstrap(), {{"transactional.id", "t-2"}});
        require_ok(rd_kafka_init_transactions(first.get(), 60000), "init_transactions");
        rk_ptr second = make_client(RD_KAFKA_PRODUCER, broker.bootstrap(), {{"transactional.id", "t-2"}});
        require_ok(rd_kafka_init_transactions(second.get(), 60000), "init_transactions");

        // The first producer's epoch is stale: its next transaction fails fatally.
        require_ok(rd_kafka_begin_transaction(first.get()), "begin_transaction");
        delivery counted;
        produce_some(first.get(), "txt", 1, &counted);
        rd_kafka_error_t* error = rd_kafka_commit_transaction(first.get(), 60000);
        REQUIRE(error != nullptr);
        CHECK(rd_kafka_error_is_fatal(error));
        CHECK(rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__FENCED);
        rd_kafka_error_destroy(error);
    }

    TEST_CASE("a transaction timeout above transaction.max.timeout.ms is refused") {
        std::string properties = broker_properties;  // appended, not operator+: GCC 12's false -Warray-bounds
        properties += "transaction.max.timeout.ms=10000\n";
        test_broker broker(properties);
        rk_ptr producer = make_client(RD_KAFKA_PRODUCER, broker.bootstrap(),
                                      {{"transactional.id", "t-3"},
                                       {"transaction.timeout.ms", "20000"},
                                       {"message.timeout.ms", "20000"}});
        rd_kafka_error_t* error = rd_kafka_init_transactions(producer.get(), 60000);
        REQUIRE(error != nullptr);
        CHECK(rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT);
        rd_kafka_error_destroy(error);
    }
}
