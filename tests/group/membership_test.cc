// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "shard_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

TEST_SUITE("group.membership") {
    TEST_CASE("heartbeat answers in every state") {
        harness h;
        CHECK(h.heartbeat("", "m", 0) == code(error_code::invalid_group_id));
        CHECK(h.heartbeat("nope", "m", 0) == code(error_code::unknown_member_id));

        // PreparingRebalance: a pending rebalance is what a heartbeat reports.
        auto s = make_stable(h, "g", 2);
        const std::string leader = s.members[0], follower = s.members[1];
        CHECK(h.heartbeat("g", follower, s.generation) == 0);
        CHECK(h.heartbeat("g", follower, s.generation + 1) == code(error_code::illegal_generation));
        CHECK(h.heartbeat("g", "stranger", s.generation) == code(error_code::unknown_member_id));

        join_args a;
        a.member_id = leader;
        auto rejoin = h.join(a);
        CHECK(h.state("g") == "PreparingRebalance");
        CHECK(h.heartbeat("g", follower, s.generation) == code(error_code::rebalance_in_progress));

        // CompletingRebalance: heartbeats are fine while members sync.
        a.member_id = follower;
        h.join(a);
        REQUIRE(rejoin->has_value());
        CHECK(h.state("g") == "CompletingRebalance");
        CHECK(h.heartbeat("g", follower, s.generation + 1) == 0);

        // Empty: nobody is a member any more.
        auto left = h.leave("g", {{leader, std::nullopt}, {follower, std::nullopt}});
        CHECK(left.error_code == 0);
        h.advance(1);
        CHECK(h.state("g") == "Empty");
        CHECK(h.heartbeat("g", follower, s.generation + 1) == code(error_code::unknown_member_id));
    }

    TEST_CASE("a member that leaves triggers a rebalance of the others") {
        harness h;
        auto s = make_stable(h, "g", 2);
        auto r = h.leave("g", {{s.members[1], std::nullopt}, {"ghost", std::nullopt}});
        REQUIRE(r.members.size() == 2);
        CHECK(r.members[0].error_code == 0);
        CHECK(r.members[1].error_code == code(error_code::unknown_member_id));
        CHECK(h.state("g") == "PreparingRebalance");
        CHECK(h.heartbeat("g", s.members[0], s.generation) ==
              code(error_code::rebalance_in_progress));
        join_args a;
        a.member_id = s.members[0];
        auto j = h.join(a);  // the only member left has rejoined: no waiting
        REQUIRE(j->has_value());
        CHECK((*j)->generation_id == s.generation + 1);
        CHECK((*j)->members.size() == 1);
    }

    TEST_CASE("LeaveGroup before v3 answers with the member's error at the top level") {
        harness h;
        auto s = make_stable(h, "g", 1);
        auto r = h.leave("g", {{"ghost", std::nullopt}}, 1);
        CHECK(r.error_code == code(error_code::unknown_member_id));
        CHECK(r.members.empty());
        r = h.leave("g", {{s.members[0], std::nullopt}}, 2);
        CHECK(r.error_code == 0);
        CHECK(h.leave("", {}, 0).error_code == code(error_code::invalid_group_id));
        r = h.leave("unknown-group", {{"m", std::nullopt}}, 3);
        CHECK(r.error_code == 0);
        REQUIRE(r.members.size() == 1);
        CHECK(r.members[0].error_code == code(error_code::unknown_member_id));
    }

    TEST_CASE("a member whose session expires is removed and the group rebalances") {
        harness h;
        auto s = make_stable(h, "g", 2, /*session_ms=*/10000);
        // Only the leader keeps heartbeating.
        for (int i = 0; i < 3; ++i) {
            h.advance(4000);
            h.heartbeat("g", s.members[0], s.generation);
        }
        CHECK(h.state("g") == "PreparingRebalance");
        CHECK(h.heartbeat("g", s.members[1], s.generation) == code(error_code::unknown_member_id));
        join_args a;
        a.member_id = s.members[0];
        auto j = h.join(a);
        REQUIRE(j->has_value());
        CHECK((*j)->members.size() == 1);
    }

    TEST_CASE("a member that does not rejoin within the rebalance timeout is removed") {
        harness h;
        auto s = make_stable(h, "g", 2, /*session_ms=*/10000, /*rebalance_ms=*/20000);
        join_args a;
        a.member_id = s.members[0];
        a.session_ms = 10000;
        a.rebalance_ms = 20000;
        auto j = h.join(a);
        // The follower stays alive with heartbeats but never rejoins.
        for (int i = 0; i < 3 && !j->has_value(); ++i) {
            h.advance(5000);
            CHECK(h.heartbeat("g", s.members[1], s.generation) ==
                  code(error_code::rebalance_in_progress));
        }
        CHECK_FALSE(j->has_value());
        h.advance(5000);  // 20s after the rebalance began
        REQUIRE(j->has_value());
        CHECK((*j)->generation_id == s.generation + 1);
        REQUIRE((*j)->members.size() == 1);
        CHECK(h.heartbeat("g", s.members[1], s.generation) == code(error_code::unknown_member_id));
    }

    TEST_CASE("members that never send SyncGroup are removed after the rebalance timeout") {
        harness h;
        join_args a;
        a.rebalance_ms = 20000;
        auto j1 = h.join_new(a);
        auto j2 = h.join_new(a);
        h.advance(6000);
        REQUIRE(j1->has_value());
        REQUIRE(j2->has_value());
        const std::string leader = (*j1)->leader;
        const std::string follower =
            (*j1)->member_id == leader ? (*j2)->member_id : (*j1)->member_id;
        auto done = h.sync("g", leader, 1, {{leader, bytes("a")}});
        REQUIRE(done->has_value());
        CHECK(h.state("g") == "Stable");
        // Both stay alive, but the follower never asks for its assignment.
        for (int i = 0; i < 3; ++i) {
            h.advance(5000);
            CHECK(h.heartbeat("g", leader, 1) == 0);
            CHECK(h.heartbeat("g", follower, 1) == 0);
        }
        h.advance(5000);  // 20s after the join phase ended
        CHECK(h.state("g") == "PreparingRebalance");
        CHECK(h.heartbeat("g", follower, 1) == code(error_code::unknown_member_id));
        CHECK(h.shard.describe_group("g", 5).members.size() == 1);
    }

    TEST_CASE("a restarted static member takes its seat without a rebalance; the old id is fenced") {
        harness h;
        join_args a;
        a.instance = "instance-a";
        auto ja = h.join(a);
        join_args b;
        b.instance = "instance-b";
        auto jb = h.join(b);
        h.advance(10000);
        REQUIRE(ja->has_value());
        REQUIRE(jb->has_value());
        CHECK((*ja)->member_id.rfind("instance-a-", 0) == 0);
        const std::string old_a = (*ja)->member_id, b_id = (*jb)->member_id;
        const std::string leader = (*ja)->leader;
        const bool a_leads = leader == old_a;
        // The follower asks first and waits; the leader's assignment answers both.
        auto follower_sync = a_leads ? h.sync("g", b_id, 1, {}, "instance-b")
                                     : h.sync("g", old_a, 1, {}, "instance-a");
        h.sync("g", leader, 1, {{old_a, bytes("A")}, {b_id, bytes("B")}},
               a_leads ? "instance-a" : "instance-b");
        REQUIRE(follower_sync->has_value());
        REQUIRE(h.state("g") == "Stable");
        const size_t records_before = h.log.size();

        SUBCASE("before v9 the old leader id is returned") {
            a.version = 8;
            auto again = h.join(a);  // unknown member id, known instance id
            REQUIRE(again->has_value());
            CHECK((*again)->error_code == 0);
            CHECK((*again)->generation_id == 1);
            CHECK((*again)->member_id != old_a);
            CHECK((*again)->leader == leader);
            CHECK((*again)->members.empty());
            CHECK(h.state("g") == "Stable");
            // Its assignment carried over to the new member id.
            auto s = h.sync("g", (*again)->member_id, 1, {}, "instance-a");
            CHECK((*s)->assignment == bytes("A"));
        }
        SUBCASE("v9 tells a static leader it leads but should skip the assignment") {
            auto again = h.join(a);
            REQUIRE(again->has_value());
            const bool was_leader = leader == old_a;
            CHECK((*again)->skip_assignment == was_leader);
            CHECK((*again)->leader == (was_leader ? (*again)->member_id : leader));
        }
        // The group was written with the new member id; the old one is fenced.
        CHECK(h.log.size() == records_before + 1);
        CHECK(h.heartbeat("g", old_a, 1, "instance-a") == code(error_code::fenced_instance_id));
        CHECK(h.heartbeat("g", b_id, 1, "instance-b") == 0);
        CHECK(h.state("g") == "Stable");
    }

    TEST_CASE("a static member with a different protocol set rebalances the group") {
        harness h;
        join_args a;
        a.instance = "i";
        auto j = join_alone(h, a);
        h.sync("g", (*j)->member_id, 1, {{(*j)->member_id, bytes("x")}}, "i");
        a.protocols = {{"sticky", subscription({"t1"})}, {"range", subscription({"t1"})}};
        auto again = h.join(a);
        // A single member that rejoined: the rebalance completes at once with "sticky".
        REQUIRE(again->has_value());
        CHECK((*again)->generation_id == 2);
        CHECK((*again)->protocol_name == "sticky");
    }

    TEST_CASE("an admin removes a static member by its instance id alone") {
        harness h;
        join_args a;
        a.instance = "i";
        auto j = join_alone(h, a);
        auto r = h.leave("g", {{"", std::string("i")}, {"", std::string("other")}});
        REQUIRE(r.members.size() == 2);
        CHECK(r.members[0].error_code == 0);
        CHECK(r.members[1].error_code == code(error_code::unknown_member_id));
    }

    TEST_CASE("unloading answers every parked join and sync with NOT_COORDINATOR") {
        harness h;
        auto j = h.join_new({});
        CHECK_FALSE(j->has_value());
        h.shard.unload();
        REQUIRE(j->has_value());
        CHECK((*j)->error_code == code(error_code::not_coordinator));
        CHECK_FALSE(h.shard.next_deadline().has_value());
    }

    TEST_CASE("a parked SyncGroup hears NOT_COORDINATOR on unload") {
        harness h;
        auto j1 = h.join_new({});
        auto j2 = h.join_new({});
        h.advance(10000);
        const std::string follower =
            (*j1)->member_id == (*j1)->leader ? (*j2)->member_id : (*j1)->member_id;
        auto s = h.sync("g", follower, 1);
        CHECK_FALSE(s->has_value());
        h.shard.unload();
        REQUIRE(s->has_value());
        CHECK((*s)->error_code == code(error_code::not_coordinator));
    }
}
