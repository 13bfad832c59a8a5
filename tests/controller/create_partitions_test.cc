// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

namespace {

msg::create_partitions_request grow(std::string name, int32_t count,
                                    std::optional<std::vector<std::vector<int32_t>>> assignments = {},
                                    bool validate_only = false) {
    msg::create_partitions_request r;
    msg::create_partitions_request::create_partitions_topic t;
    t.name = std::move(name);
    t.count = count;
    if (assignments) {
        t.assignments.emplace();
        for (auto& a : *assignments) t.assignments->push_back({a, {}});
    } else {
        t.assignments = std::nullopt;
    }
    r.topics.push_back(std::move(t));
    r.validate_only = validate_only;
    r.timeout_ms = 30000;
    return r;
}

}  // namespace

TEST_SUITE("controller.create_partitions") {
    TEST_CASE("a topic grows by new PartitionRecords numbered after the existing ones") {
        cluster k({}, 2);
        create_and_commit(k, {topic("g", 2, 2)});
        auto r = k.c.create_partitions(grow("g", 5), 3, 0);
        REQUIRE(r.response.results.size() == 1);
        CHECK(r.response.results[0].error_code == 0);
        REQUIRE(r.records.size() == 3);
        for (int i = 0; i < 3; ++i) {
            const auto& p = std::get<msg::partition_record>(r.records[i].record);
            CHECK(p.partition_id == 2 + i);
            CHECK(p.replicas.size() == 2);
        }
        k.commit(r.records);
        CHECK(k.image().topic("g")->partitions.size() == 5);
    }

    TEST_CASE("the same or a smaller count is INVALID_PARTITIONS") {
        cluster k;
        create_and_commit(k, {topic("g", 3)});
        auto same = k.c.create_partitions(grow("g", 3), 3, 0);
        CHECK(same.records.empty());
        CHECK(same.response.results[0].error_code == code(error_code::invalid_partitions));
        CHECK(same.response.results[0].error_message == "Topic already has 3 partition(s).");
        auto fewer = k.c.create_partitions(grow("g", 2), 3, 0);
        CHECK(fewer.response.results[0].error_code == code(error_code::invalid_partitions));
        CHECK(fewer.response.results[0].error_message ==
              "The topic g currently has 3 partition(s); 2 would not be an increase.");
    }

    TEST_CASE("more than 10000 new partitions refuse the request before any placement") {
        // One PartitionRecord each: past QuorumController's bound the request fails as a
        // whole, and a count such as 2147483647 gets there without building its placement.
        cluster k;
        create_and_commit(k, {topic("g", 1), topic("h", 1)});
        for (int32_t count : {2147483647, 10002}) {
            auto r = k.c.create_partitions(grow("g", count), 3, 0);
            CHECK(r.records.empty());
            REQUIRE(r.response.results.size() == 1);
            CHECK(r.response.results[0].error_code == code(error_code::policy_violation));
            CHECK(r.response.results[0].error_message == "Unable to perform excessively large batch operation.");
        }
        auto both = grow("g", 6001);
        both.topics.push_back(grow("h", 5001).topics.at(0));
        auto r = k.c.create_partitions(both, 3, 0);
        CHECK(r.records.empty());
        REQUIRE(r.response.results.size() == 2);
        CHECK(r.response.results[1].error_code == code(error_code::policy_violation));
        CHECK(k.c.create_partitions(grow("g", 10001), 3, 0).records.size() == 10000);
    }

    TEST_CASE("an unknown topic is UNKNOWN_TOPIC_OR_PARTITION") {
        cluster k;
        auto r = k.c.create_partitions(grow("nope", 3), 3, 0);
        CHECK(r.response.results[0].error_code == code(error_code::unknown_topic_or_partition));
    }

    TEST_CASE("manual assignments must name one replica list per new partition") {
        cluster k({}, 2);
        create_and_commit(k, {topic("g", 1, 1)});
        auto short_list = k.c.create_partitions(grow("g", 3, std::vector<std::vector<int32_t>>{{1}}), 3, 0);
        CHECK(short_list.response.results[0].error_code == code(error_code::invalid_replica_assignment));
        CHECK(short_list.response.results[0].error_message ==
              "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.");
        auto wrong_rf =
            k.c.create_partitions(grow("g", 2, std::vector<std::vector<int32_t>>{{1, 2}}), 3, 0);
        CHECK(wrong_rf.response.results[0].error_code == code(error_code::invalid_replica_assignment));
        auto ok = k.c.create_partitions(grow("g", 2, std::vector<std::vector<int32_t>>{{2}}), 3, 0);
        REQUIRE(ok.response.results[0].error_code == 0);
        k.commit(ok.records);
        CHECK(k.image().topic("g")->partitions.at(1).replicas == std::vector<int32_t>{2});
    }

    TEST_CASE("validate_only checks the increase and writes nothing") {
        cluster k;
        create_and_commit(k, {topic("g", 1)});
        auto r = k.c.create_partitions(grow("g", 4, std::nullopt, true), 3, 0);
        CHECK(r.response.results[0].error_code == 0);
        CHECK(r.records.empty());
    }
    TEST_CASE("a timeout of 0 or less times out and adds nothing, validate_only too") {
        cluster k;
        create_and_commit(k, {topic("g", 2)});
        for (bool validate_only : {false, true}) {
            auto r0 = grow("g", 4, std::nullopt, validate_only);
            r0.timeout_ms = 0;
            r0.topics.push_back(r0.topics[0]);
            r0.topics[1].name = "nope";
            auto r = k.c.create_partitions(r0, 3, 0);
            CHECK(r.records.empty());
            REQUIRE(r.response.results.size() == 2);
            CHECK(r.response.results[0].name == "g");
            CHECK(r.response.results[1].name == "nope");
            for (const auto& res : r.response.results) {
                CHECK(res.error_code == code(error_code::request_timed_out));
                CHECK_FALSE(res.error_message);
            }
        }
        auto late = grow("g", 4);
        late.timeout_ms = -5;
        CHECK(k.c.create_partitions(late, 3, 0).response.results[0].error_code ==
              code(error_code::request_timed_out));
        CHECK(k.image().topic("g")->partitions.size() == 2);
    }
}
