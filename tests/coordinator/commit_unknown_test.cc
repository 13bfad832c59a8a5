// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A commit names partitions that do not exist: each gets UNKNOWN_TOPIC_OR_PARTITION and
// nothing is stored for it, while the partitions that exist are committed (Kafka's
// KafkaApis checks the metadata before the group coordinator sees the request).
#include <doctest/doctest.h>

#include "eddy/error_code.h"
#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"
#include "error_code_value.h"
#include "kafka_client.h"
#include "rdkafka_broker.h"

using namespace eddy;
using namespace eddy::coordinator_test;

namespace {

constexpr int timeout_ms = 60000;

rd_kafka_topic_partition_list_t* partitions_of(int64_t offset) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(3);
    rd_kafka_topic_partition_list_add(list, "real", 0)->offset = offset;
    rd_kafka_topic_partition_list_add(list, "real", 7)->offset = offset;
    rd_kafka_topic_partition_list_add(list, "no-such-topic", 0)->offset = offset;
    return list;
}

}  // namespace

TEST_SUITE("coordinator.librdkafka") {
    TEST_CASE("a commit for a partition that does not exist fails there and stores nothing") {
        test_broker broker("group.initial.rebalance.delay.ms=0\n");
        {
            rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
            create_topic(admin.get(), "real", 1);
        }

        // On the wire: an answer per partition, in the request's order.
        msg::offset_commit_request req;
        req.group_id = "raw-committers";
        for (const auto& [topic, partition] : {std::pair{"real", 0}, {"real", 7}, {"no-such-topic", 0}}) {
            auto& t = req.topics.emplace_back();
            t.name = topic;
            t.partitions.emplace_back().partition_index = partition;
            t.partitions.back().committed_offset = 3;
        }
        test::kafka_client raw(broker.port());
        auto answer = raw.call<msg::offset_commit_response>(req, 8);
        REQUIRE(answer);
        REQUIRE(answer->body.topics.size() == 3);
        CHECK(answer->body.topics[0].partitions.at(0).error_code == 0);
        CHECK(answer->body.topics[1].partitions.at(0).error_code == code(error_code::unknown_topic_or_partition));
        CHECK(answer->body.topics[2].partitions.at(0).error_code == code(error_code::unknown_topic_or_partition));

        // To a librdkafka application: the commit fails, and only the real partition has
        // a committed offset afterwards.
        rk_ptr consumer = make_consumer(broker.bootstrap(), "committers", {{"enable.auto.commit", "false"}});
        rd_kafka_topic_partition_list_t* commit = partitions_of(5);
        CHECK(rd_kafka_commit(consumer.get(), commit, 0) == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        rd_kafka_topic_partition_list_destroy(commit);
        rd_kafka_topic_partition_list_t* committed = partitions_of(-1);
        REQUIRE(rd_kafka_committed(consumer.get(), committed, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR);
        auto offset_of = [&](const char* topic, int32_t partition) {
            return rd_kafka_topic_partition_list_find(committed, topic, partition)->offset;
        };
        CHECK(offset_of("real", 0) == 5);
        CHECK(offset_of("real", 7) == RD_KAFKA_OFFSET_INVALID);
        CHECK(offset_of("no-such-topic", 0) == RD_KAFKA_OFFSET_INVALID);
        rd_kafka_topic_partition_list_destroy(committed);
        rd_kafka_consumer_close(consumer.get());
    }
}
