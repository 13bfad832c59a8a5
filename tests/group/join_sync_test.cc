// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "shard_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

TEST_SUITE("group.join") {
    TEST_CASE("three members join one generation; the leader alone sees everyone's metadata") {
        harness h;
        std::vector<slot<msg::join_group_response>> joins;
        for (int i = 0; i < 3; ++i) {
            join_args a;
            a.client_id = "c" + std::to_string(i);
            a.protocols = {{"range", subscription({"t" + std::to_string(i)})}};
            joins.push_back(h.join_new(a));
        }
        // Parked until group.initial.rebalance.delay.ms has passed without new members.
        for (auto& j : joins) CHECK_FALSE(j->has_value());
        CHECK(h.state("g") == "PreparingRebalance");
        h.advance(h.config.group_initial_rebalance_delay_ms);
        for (auto& j : joins) CHECK_FALSE(j->has_value());  // joins extended the delay
        h.advance(h.config.group_initial_rebalance_delay_ms);

        std::string leader;
        for (auto& j : joins) {
            REQUIRE(j->has_value());
            CHECK((*j)->error_code == 0);
            CHECK((*j)->generation_id == 1);
            CHECK((*j)->protocol_type == "consumer");
            CHECK((*j)->protocol_name == "range");
            CHECK_FALSE((*j)->skip_assignment);
            leader = (*j)->leader;
        }
        int leaders = 0;
        for (auto& j : joins) {
            CHECK((*j)->leader == leader);
            CHECK((*j)->member_id.rfind("c", 0) == 0);  // client id "-" uuid
            if ((*j)->member_id == leader) {
                ++leaders;
                REQUIRE((*j)->members.size() == 3);
                for (const auto& m : (*j)->members) CHECK_FALSE(m.metadata.empty());
            } else {
                CHECK((*j)->members.empty());
            }
        }
        CHECK(leaders == 1);
        CHECK(h.state("g") == "CompletingRebalance");

        // Followers wait for the leader's assignment; the leader's SyncGroup hands it out.
        std::vector<slot<msg::sync_group_response>> syncs;
        std::vector<std::pair<std::string, std::vector<uint8_t>>> assignment;
        for (auto& j : joins) {
            assignment.emplace_back((*j)->member_id, bytes("part-of-" + (*j)->member_id));
            if ((*j)->member_id != leader) syncs.push_back(h.sync("g", (*j)->member_id, 1));
        }
        for (auto& s : syncs) CHECK_FALSE(s->has_value());
        syncs.push_back(h.sync("g", leader, 1, assignment));
        for (auto& s : syncs) {
            REQUIRE(s->has_value());
            CHECK((*s)->error_code == 0);
            CHECK((*s)->protocol_name == "range");
        }
        CHECK(h.state("g") == "Stable");
        auto d = h.shard.describe_group("g", 5);
        REQUIRE(d.members.size() == 3);
        for (const auto& m : d.members) {
            CHECK(m.member_assignment == bytes("part-of-" + m.member_id));
            CHECK(m.client_host == "/127.0.0.1");
            CHECK_FALSE(m.member_metadata.empty());  // Stable groups show metadata
        }
        CHECK(d.protocol_data == "range");
    }

    TEST_CASE("a v4+ join without member id gets MEMBER_ID_REQUIRED and an id to rejoin with") {
        harness h;
        join_args a;
        a.client_id = "app";
        auto first = h.join(a);
        REQUIRE(first->has_value());
        CHECK((*first)->error_code == code(error_code::member_id_required));
        const std::string id = (*first)->member_id;
        // client_id "-" UUID, as Kafka makes member ids.
        REQUIRE(id.size() == 4 + 36);
        CHECK(id.rfind("app-", 0) == 0);
        CHECK(id[4 + 14] == '4');
        a.member_id = id;
        auto second = h.join(a);
        CHECK_FALSE(second->has_value());
        h.advance(h.config.group_initial_rebalance_delay_ms);
        REQUIRE(second->has_value());
        CHECK((*second)->error_code == 0);
        CHECK((*second)->member_id == id);
        CHECK((*second)->leader == id);
    }

    TEST_CASE("a pending member that does not rejoin within its session timeout is forgotten") {
        harness h;
        join_args a;
        auto first = h.join(a);
        REQUIRE(first->has_value());
        h.advance(a.session_ms);
        a.member_id = (*first)->member_id;
        auto late = h.join(a);
        REQUIRE(late->has_value());
        CHECK((*late)->error_code == code(error_code::unknown_member_id));
    }

    TEST_CASE("a v3 join is admitted at once with a generated member id") {
        harness h;
        join_args a;
        a.version = 3;
        auto j = h.join(a);
        CHECK_FALSE(j->has_value());
        h.advance(h.config.group_initial_rebalance_delay_ms);
        REQUIRE(j->has_value());
        CHECK((*j)->error_code == 0);
        CHECK((*j)->member_id.rfind("client-", 0) == 0);
    }

    TEST_CASE("joins that Kafka refuses") {
        harness h;
        join_args a;
        a.session_ms = h.config.group_min_session_timeout_ms - 1;
        CHECK((*h.join(a))->error_code == code(error_code::invalid_session_timeout));
        a = {};
        a.group = "";
        CHECK((*h.join(a))->error_code == code(error_code::invalid_group_id));
        a = {};
        a.member_id = "nobody";
        CHECK((*h.join(a))->error_code == code(error_code::unknown_member_id));
        a = {};
        a.protocol_type = "";
        CHECK((*h.join(a))->error_code == code(error_code::inconsistent_group_protocol));

        make_stable(h, "s", 1);
        a = {};
        a.group = "s";
        a.protocol_type = "connect";
        CHECK((*h.join(a))->error_code == code(error_code::inconsistent_group_protocol));
        a.protocol_type = "consumer";
        a.protocols = {{"roundrobin", subscription({"t1"})}};
        CHECK((*h.join(a))->error_code == code(error_code::inconsistent_group_protocol));
    }

    TEST_CASE("the protocol every member supports with the most votes is chosen") {
        harness h;
        join_args a;
        a.protocols = {{"range", subscription({"t"})}, {"sticky", subscription({"t"})}};
        auto j1 = h.join_new(a);
        a.protocols = {{"sticky", subscription({"t"})}, {"range", subscription({"t"})}};
        auto j2 = h.join_new(a);
        a.protocols = {{"sticky", subscription({"t"})}, {"roundrobin", subscription({"t"})}};
        auto j3 = h.join_new(a);
        h.advance(10000);
        REQUIRE(j3->has_value());
        CHECK((*j3)->protocol_name == "sticky");
    }

    TEST_CASE("group.max.size turns away a member beyond it") {
        coordinator_config c;
        c.group_max_size = 1;
        harness h(c);
        make_stable(h, "g", 1);
        auto j = h.join({});  // refused before it is even given a member id
        REQUIRE(j->has_value());
        CHECK((*j)->error_code == code(error_code::group_max_size_reached));
    }

    TEST_CASE("the initial delay is extended by new members up to the rebalance timeout") {
        harness h;
        join_args a;
        a.rebalance_ms = 7000;
        auto first = h.join_new(a);
        // A member joining every 2.5s keeps the group waiting, but not past 7s.
        for (int i = 0; i < 3; ++i) {
            h.advance(2500);
            h.join_new(a);
        }
        CHECK(first->has_value());
        CHECK((*first)->generation_id == 1);
    }

    TEST_CASE("sync errors: unknown group, wrong generation, rebalance in progress, protocol") {
        harness h;
        CHECK((*h.sync("nope", "m", 1))->error_code == code(error_code::unknown_member_id));
        CHECK((*h.sync("", "m", 1))->error_code == code(error_code::invalid_group_id));
        auto s = make_stable(h, "g", 2);
        CHECK((*h.sync("g", s.members[1], s.generation + 1))->error_code ==
              code(error_code::illegal_generation));
        CHECK((*h.sync("g", "stranger", s.generation))->error_code ==
              code(error_code::unknown_member_id));
        // v5 requires protocol type and name.
        msg::sync_group_request r;
        r.group_id = "g";
        r.member_id = s.members[1];
        r.generation_id = s.generation;
        std::optional<msg::sync_group_response> got;
        h.shard.sync_group(r, 5, h.now, [&](msg::sync_group_response x) { got = x; });
        CHECK(got->error_code == code(error_code::inconsistent_group_protocol));
        r.protocol_type = "consumer";
        r.protocol_name = "roundrobin";
        h.shard.sync_group(r, 5, h.now, [&](msg::sync_group_response x) { got = x; });
        CHECK(got->error_code == code(error_code::inconsistent_group_protocol));
        // A Stable group answers a repeated SyncGroup with the member's assignment.
        auto again = h.sync("g", s.members[1], s.generation);
        CHECK((*again)->assignment == bytes("for " + s.members[1]));
        // The leader rejoins: the group rebalances and a SyncGroup is told so.
        join_args a;
        a.member_id = s.members[0];
        h.join(a);
        CHECK((*h.sync("g", s.members[1], s.generation))->error_code ==
              code(error_code::rebalance_in_progress));
    }
}
