// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// OffsetDelete, DescribeGroups and DescribeProducers answer as Kafka's KafkaApis does where
// it decides before (or after) the coordinator or the partition: unknown topics, authorized
// operations, refused topic names. A broker in this process, spoken to over loopback.
#include <doctest/doctest.h>

#include <climits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator_calls.h"
#include "eddy/error_code.h"
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"
#include "eddy/msg/describe_groups_request.h"
#include "eddy/msg/describe_groups_response.h"
#include "eddy/msg/describe_producers_request.h"
#include "eddy/msg/describe_producers_response.h"
#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"
#include "eddy/msg/offset_delete_request.h"
#include "eddy/msg/offset_delete_response.h"
#include "eddy/msg/offset_fetch_request.h"
#include "eddy/msg/offset_fetch_response.h"
#include "error_code_value.h"
#include "in_process_broker.h"
#include "kafka_client.h"

using namespace eddy;

namespace {

const std::string unknown_topic_text = "This server does not host this topic-partition.";

using topic_list = std::vector<std::pair<std::string, std::vector<int32_t>>>;

void make_topic(test::kafka_client& c, const std::string& name, int32_t partitions) {
    msg::create_topics_request req;
    auto& t = req.topics.emplace_back();
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    req.timeout_ms = 30000;
    auto r = c.call<msg::create_topics_response>(req, 7);
    REQUIRE(r);
    REQUIRE(r->body.topics.at(0).error_code == code(error_code::none));
}

// A simple consumer's commit (no generation): the group exists afterwards, Empty.
void commit(test::kafka_client& c, const std::string& group, const std::string& topic,
            int32_t partition, int64_t offset) {
    test::find_coordinator(c, group, 0);
    msg::offset_commit_request req;
    req.group_id = group;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    t.partitions.emplace_back().partition_index = partition;
    t.partitions.back().committed_offset = offset;
    auto r = test::until_coordinator_ready<msg::offset_commit_response>(
        c, req, 8, [](const auto& b) { return b.topics.at(0).partitions.at(0).error_code; });
    REQUIRE(r.topics.at(0).partitions.at(0).error_code == code(error_code::none));
}

int64_t committed(test::kafka_client& c, const std::string& group, const std::string& topic,
                  int32_t partition) {
    msg::offset_fetch_request req;
    req.group_id = group;
    req.topics->push_back({topic, {partition}, {}});
    auto r = c.call<msg::offset_fetch_response>(req, 5);
    REQUIRE(r);
    REQUIRE(r->body.error_code == code(error_code::none));
    return r->body.topics.at(0).partitions.at(0).committed_offset;
}

msg::offset_delete_request offset_delete(const std::string& group, const topic_list& topics) {
    msg::offset_delete_request req;
    req.group_id = group;
    for (const auto& [name, partitions] : topics) {
        auto& t = req.topics.emplace_back();
        t.name = name;
        for (int32_t p : partitions) t.partitions.emplace_back().partition_index = p;
    }
    return req;
}

msg::describe_groups_response describe_groups(test::kafka_client& c,
                                              std::vector<std::string> groups,
                                              bool include_operations) {
    msg::describe_groups_request req;
    req.groups = std::move(groups);
    req.include_authorized_operations = include_operations;
    // Ready once no group's shard is still loading.
    return test::until_coordinator_ready<msg::describe_groups_response>(
        c, req, 5, [](const auto& b) {
            for (const auto& g : b.groups)
                if (test::coordinator_busy(g.error_code)) return g.error_code;
            return code(error_code::none);
        });
}

}  // namespace

TEST_SUITE("broker.broker_side_answers") {
    TEST_CASE("OffsetDelete answers UNKNOWN_TOPIC_OR_PARTITION for what the metadata lacks") {
        test::in_process_broker b("group.initial.rebalance.delay.ms=0\n");
        test::kafka_client c(b.port);
        make_topic(c, "real", 1);
        commit(c, "g", "real", 0, 3);

        auto r = c.call<msg::offset_delete_response>(
            offset_delete("g", {{"real", {0, 7}}, {"missing", {0}}}), 0);
        REQUIRE(r);
        CHECK(r->body.error_code == code(error_code::none));
        // Kafka's order: what KafkaApis answered itself first, then the coordinator's
        // answers merged in under the same topic.
        REQUIRE(r->body.topics.size() == 2);
        const auto& real = r->body.topics[0];
        CHECK(real.name == "real");
        REQUIRE(real.partitions.size() == 2);
        CHECK(real.partitions[0].partition_index == 7);
        CHECK(real.partitions[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(real.partitions[1].partition_index == 0);
        CHECK(real.partitions[1].error_code == code(error_code::none));
        const auto& missing = r->body.topics[1];
        CHECK(missing.name == "missing");
        REQUIRE(missing.partitions.size() == 1);
        CHECK(missing.partitions[0].partition_index == 0);
        CHECK(missing.partitions[0].error_code == code(error_code::unknown_topic_or_partition));

        // The known partition's offset is gone.
        CHECK(committed(c, "g", "real", 0) == -1);
    }

    TEST_CASE("OffsetDelete of a group that does not exist answers only the group's error") {
        test::in_process_broker b("group.initial.rebalance.delay.ms=0\n");
        test::kafka_client c(b.port);
        make_topic(c, "real", 1);
        test::find_coordinator(c, "nobody", 0);

        // The coordinator is asked even when no partition is left for it, and its group
        // error replaces the partitions answered before it.
        for (const topic_list& topics :
             {topic_list{{"missing", {0}}}, topic_list{{"real", {0, 7}}}}) {
            auto r = test::until_coordinator_ready<msg::offset_delete_response>(
                c, offset_delete("nobody", topics), 0,
                [](const auto& body) { return body.error_code; });
            CHECK(r.error_code == code(error_code::group_id_not_found));
            CHECK(r.topics.empty());
        }
    }

    TEST_CASE("DescribeGroups v5 gives every group described without error all its operations") {
        test::in_process_broker b("group.initial.rebalance.delay.ms=0\n");
        test::kafka_client c(b.port);
        make_topic(c, "real", 1);
        commit(c, "g", "real", 0, 3);
        test::find_coordinator(c, "nobody", 0);

        auto asked = describe_groups(c, {"g", "nobody"}, true);
        REQUIRE(asked.groups.size() == 2);
        CHECK(asked.groups[0].group_state == "Empty");
        CHECK(asked.groups[1].group_state == "Dead");
        for (const auto& g : asked.groups) {
            CAPTURE(g.group_id);
            CHECK(g.error_code == code(error_code::none));
            CHECK(g.authorized_operations == 328);  // 1<<3 | 1<<6 | 1<<8
        }

        auto not_asked = describe_groups(c, {"g", "nobody"}, false);
        REQUIRE(not_asked.groups.size() == 2);
        for (const auto& g : not_asked.groups) CHECK(g.authorized_operations == INT32_MIN);
    }

    TEST_CASE("DescribeProducers refuses an invalid or unknown topic with Kafka's message") {
        test::in_process_broker b;
        test::kafka_client c(b.port);
        make_topic(c, "real", 1);

        struct expectation {
            std::string topic;
            std::vector<int32_t> partitions;
            error_code error;
            std::optional<std::string> message;
        };
        const std::string too_long(250, 'x');
        const std::vector<expectation> cases{
            {"bad name!",
             {0, 1},
             error_code::invalid_topic_exception,
             "Topic name is invalid: 'bad name!' contains one or more characters other than ASCII "
             "alphanumerics, '.', '_' and '-'"},
            {"",
             {0},
             error_code::invalid_topic_exception,
             "Topic name is invalid: the empty string is not allowed"},
            {"..",
             {0},
             error_code::invalid_topic_exception,
             "Topic name is invalid: '..' is not allowed"},
            {too_long,
             {0},
             error_code::invalid_topic_exception,
             "Topic name is invalid: the length of '" + too_long +
                 "' is longer than the max allowed length 249"},
            {"missing", {0, 1}, error_code::unknown_topic_or_partition, unknown_topic_text},
            // A partition a known topic lacks: the error code alone, as ReplicaManager gives it.
            {"real", {7}, error_code::unknown_topic_or_partition, std::nullopt},
            {"real", {0}, error_code::none, std::nullopt},
        };
        msg::describe_producers_request req;
        for (const auto& e : cases) req.topics.push_back({e.topic, e.partitions, {}});
        auto r = c.call<msg::describe_producers_response>(req, 0);
        REQUIRE(r);
        REQUIRE(r->body.topics.size() == cases.size());
        for (size_t i = 0; i < cases.size(); ++i) {
            const auto& t = r->body.topics[i];
            CAPTURE(cases[i].topic);
            CHECK(t.name == cases[i].topic);
            REQUIRE(t.partitions.size() == cases[i].partitions.size());
            for (size_t k = 0; k < t.partitions.size(); ++k) {
                CHECK(t.partitions[k].partition_index == cases[i].partitions[k]);
                CHECK(t.partitions[k].error_code == code(cases[i].error));
                CHECK(t.partitions[k].error_message == cases[i].message);
                CHECK(t.partitions[k].active_producers.empty());
            }
        }
    }
}
