// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Idempotent producers through the Produce handler: what a client sees for a retry, a gap
// and a fenced epoch, also after a restart, and what DescribeProducers reports.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "batch_builder.h"
#include "broker/handlers/describe_producers.h"
#include "cluster_fixture.h"
#include "eddy/error_code.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

std::vector<uint8_t> idempotent_batch(int64_t pid, int16_t epoch, int32_t seq, int records = 3) {
    return record::test::producer_batch(pid, epoch, seq, records, now_ms());
}

// By value: the responses are temporaries.
msg::produce_response::partition_produce_response answer(const msg::produce_response& r) {
    return r.responses.at(0).partition_responses.at(0);
}

msg::describe_producers_response describe_producers(cluster_fixture& f, const std::string& topic,
                                                   std::vector<int32_t> partitions = {0, 7}) {
    msg::describe_producers_request req;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    t.partition_indexes = std::move(partitions);
    auto ctx = f.context(61, 0);
    return cluster_fixture::run([&]() -> asio::awaitable<msg::describe_producers_response> {
        co_return co_await broker::describe_producers_handler::handle(f.replicas(), ctx,
                                                                      std::move(req));
    }());
}

}  // namespace

TEST_CASE("a retried idempotent batch is acknowledged with its first offset and stored once") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 0, 0))).error_code == 0);
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 0, 3))).error_code == 0);
    const auto retry = answer(f.produce("t", 0, idempotent_batch(1000, 0, 0)));
    CHECK(retry.error_code == 0);
    CHECK(retry.base_offset == 0);
    CHECK(f.log_of("t", 0).log_end == 6);

    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 9))).error_code ==
          code(error_code::out_of_order_sequence_number));
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 1, 0))).error_code == 0);
    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 6))).error_code ==
          code(error_code::invalid_producer_epoch));
    CHECK(f.log_of("t", 0).log_end == 9);
}

TEST_CASE("producer state survives a restart: the last batch is still a retry") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 0, 0))).error_code == 0);
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 0, 3))).error_code == 0);
    f.restart();
    const auto retry = answer(f.produce("t", 0, idempotent_batch(1000, 0, 3)));
    CHECK(retry.error_code == 0);
    CHECK(retry.base_offset == 3);
    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 7))).error_code ==
          code(error_code::out_of_order_sequence_number));
    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 6))).error_code == 0);
}

TEST_CASE("producer.id.expiration.ms changed at run time expires producers by the new value") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 0, 0))).error_code == 0);
    f.replicas().run_housekeeping();
    // Still known after a day's default: a gap is out of order.
    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 9))).error_code ==
          code(error_code::out_of_order_sequence_number));
    // As Kafka's DynamicProducerStateManagerConfig: the broker config acts on open logs.
    f.alter_configs(metadata::resource_type::broker, "", {{"producer.id.expiration.ms", "1"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    f.replicas().run_housekeeping();
    // Forgotten: a producer the partition does not know may start at any sequence.
    CHECK(answer(f.produce("t", 0, idempotent_batch(1000, 0, 9))).error_code == 0);
    CHECK(describe_producers(f, "t", {0}).topics.at(0).partitions.at(0).active_producers.size() == 1);
}

TEST_CASE("DescribeProducers lists a partition's producers") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(1000, 2, 0, 4))).error_code == 0);
    REQUIRE(answer(f.produce("t", 0, idempotent_batch(2000, 0, 0))).error_code == 0);
    auto resp = describe_producers(f, "t");
    REQUIRE(resp.topics.size() == 1);
    REQUIRE(resp.topics[0].partitions.size() == 2);
    const auto& p0 = resp.topics[0].partitions[0];
    CHECK(p0.error_code == 0);
    REQUIRE(p0.active_producers.size() == 2);
    for (const auto& s : p0.active_producers) {
        if (s.producer_id == 1000) {
            CHECK(s.producer_epoch == 2);
            CHECK(s.last_sequence == 3);
        } else {
            CHECK(s.producer_id == 2000);
            CHECK(s.last_sequence == 2);
        }
        CHECK(s.current_txn_start_offset == -1);
    }
    CHECK(resp.topics[0].partitions[1].error_code == code(error_code::unknown_topic_or_partition));
}

TEST_CASE("DescribeProducers for many partitions answers each in request order") {
    // The partitions are read side by side on their executors (three threads here).
    cluster_fixture f(3);
    f.create_topic({.name = "m", .partitions = 3});
    for (int32_t p = 0; p < 3; ++p) {
        REQUIRE(answer(f.produce("m", p, idempotent_batch(1000 + p, 0, 0, p + 1))).error_code == 0);
    }
    const std::vector<int32_t> order{2, 7, 0, 1};  // 7 does not exist
    auto resp = describe_producers(f, "m", order);
    REQUIRE(resp.topics.size() == 1);
    const auto& parts = resp.topics[0].partitions;
    REQUIRE(parts.size() == order.size());
    for (size_t i = 0; i < order.size(); ++i) {
        CAPTURE(order[i]);
        CHECK(parts[i].partition_index == order[i]);
        if (order[i] == 7) {
            CHECK(parts[i].error_code == code(error_code::unknown_topic_or_partition));
            continue;
        }
        CHECK(parts[i].error_code == 0);
        REQUIRE(parts[i].active_producers.size() == 1);
        CHECK(parts[i].active_producers[0].producer_id == 1000 + order[i]);
        CHECK(parts[i].active_producers[0].last_sequence == order[i]);
    }
}

}  // namespace eddy::cluster::test
