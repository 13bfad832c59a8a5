// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "shard_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

TEST_SUITE("group.offsets") {
    TEST_CASE("a commit while members wait for their assignment gets REBALANCE_IN_PROGRESS") {
        harness h;
        auto j = h.join_new({});
        h.advance(h.config.group_initial_rebalance_delay_ms);
        REQUIRE(j->has_value());
        REQUIRE(h.state("g") == "CompletingRebalance");
        harness::commit_args c;
        c.member_id = (*j)->member_id;
        c.generation = (*j)->generation_id;
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::rebalance_in_progress)});

        // Stable: the member commits.
        h.sync("g", c.member_id, c.generation, {{c.member_id, bytes("a")}});
        CHECK(harness::errors(h.commit(c)) == std::vector<int16_t>{0});
    }

    TEST_CASE("a commit of the current generation is taken while the group prepares a rebalance") {
        // Kafka relies on the next heartbeat to tell the member about the rebalance.
        harness h;
        auto s = make_stable(h, "g", 2);
        join_args a;
        a.member_id = s.members[0];
        h.join(a);  // the leader rejoins; the follower has not yet
        REQUIRE(h.state("g") == "PreparingRebalance");
        harness::commit_args c;
        c.member_id = s.members[1];
        c.generation = s.generation;
        CHECK(harness::errors(h.commit(c)) == std::vector<int16_t>{0});
    }

    TEST_CASE("commits from outside the group are refused while it has members") {
        harness h;
        auto s = make_stable(h, "g", 1);
        harness::commit_args c;  // generation -1, no member id
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::unknown_member_id)});
        c.member_id = s.members[0];
        c.generation = s.generation + 1;
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::illegal_generation)});
        c.member_id = "stranger";
        c.generation = s.generation;
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::unknown_member_id)});
    }

    TEST_CASE("a memberless group takes simple commits and becomes a simple group") {
        harness h;
        harness::commit_args c;
        c.group = "simple";
        c.offsets = {{"t1", 0, 10}, {"t1", 1, 11}, {"t2", 0, 20}};
        c.leader_epoch = 4;
        CHECK(harness::errors(h.commit(c)) == std::vector<int16_t>{0, 0, 0});
        CHECK(h.state("simple") == "Empty");
        auto listed = h.shard.list_groups({}, {}, 5);
        REQUIRE(listed.size() == 1);
        CHECK(listed[0].group_id == "simple");
        CHECK(listed[0].protocol_type == "");
        CHECK(listed[0].group_state == "Empty");
        CHECK(listed[0].group_type == "classic");

        auto all = h.fetch("simple");
        REQUIRE(all.topics.size() == 2);
        CHECK(all.topics[0].name == "t1");
        REQUIRE(all.topics[0].partitions.size() == 2);
        CHECK(all.topics[0].partitions[1].committed_offset == 11);
        CHECK(all.topics[0].partitions[1].committed_leader_epoch == 4);
        CHECK(all.topics[0].partitions[1].metadata == "m");

        // Partitions without a commit answer -1, "" and -1, without an error.
        auto some = h.fetch("simple", {{{"t2", {0, 5}}, {"t3", {0}}}});
        REQUIRE(some.topics.size() == 2);
        CHECK(some.topics[0].partitions[0].committed_offset == 20);
        CHECK(some.topics[0].partitions[1].committed_offset == -1);
        CHECK(some.topics[0].partitions[1].committed_leader_epoch == -1);
        CHECK(some.topics[0].partitions[1].metadata == "");
        CHECK(some.topics[0].partitions[1].error_code == 0);
        CHECK(some.topics[1].partitions[0].committed_offset == -1);
        CHECK(h.fetch("unknown").topics.empty());
    }

    TEST_CASE("commit errors Kafka gives per partition or per request") {
        harness h;
        harness::commit_args c;
        c.generation = 3;
        c.member_id = "m";
        c.version = 8;
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::illegal_generation)});
        c.version = 9;
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::group_id_not_found)});

        coordinator_config small;
        small.offset_metadata_max_bytes = 4;
        harness h2(small);
        harness::commit_args big;
        big.metadata = "12345";
        CHECK(harness::errors(h2.commit(big)) ==
              std::vector<int16_t>{code(error_code::offset_metadata_too_large)});
        big.metadata = "1234";
        CHECK(harness::errors(h2.commit(big)) == std::vector<int16_t>{0});
    }

    TEST_CASE("a simple group's offsets expire one by one after offsets.retention.minutes") {
        coordinator_config c;
        c.offsets_retention_minutes = 1;
        c.offsets_retention_check_interval_ms = 1000;
        harness h(c);
        harness::commit_args a;
        a.group = "s";
        a.offsets = {{"t1", 0, 1}};
        h.commit(a);
        h.advance(30000);
        a.offsets = {{"t1", 1, 2}};
        h.commit(a);
        h.advance(31000);  // the first commit is a minute old, the second is not
        auto left = h.fetch("s");
        REQUIRE(left.topics.size() == 1);
        REQUIRE(left.topics[0].partitions.size() == 1);
        CHECK(left.topics[0].partitions[0].partition_index == 1);
        CHECK(h.state("s") == "Empty");
        // Once the last offset has gone, so has the group.
        h.advance(30000);
        CHECK(h.fetch("s").topics.empty());
        CHECK(h.state("s") == "Dead");
        REQUIRE(h.log.size() >= 2);
        CHECK_FALSE(h.log.back().value.has_value());  // the group's tombstone
    }

    TEST_CASE("an Empty consumer group's offsets expire a retention period after it emptied") {
        coordinator_config c;
        c.offsets_retention_minutes = 1;
        c.offsets_retention_check_interval_ms = 1000;
        harness h(c);
        auto s = make_stable(h, "g", 1);
        harness::commit_args a;
        a.member_id = s.members[0];
        a.generation = s.generation;
        h.commit(a);
        // A Stable group that still subscribes to the topic keeps the offset for ever.
        for (int i = 0; i < 15; ++i) {
            h.advance(9000);
            REQUIRE(h.heartbeat("g", s.members[0], s.generation) == 0);
        }
        CHECK(h.fetch("g").topics.size() == 1);
        h.leave("g", {{s.members[0], std::nullopt}});
        REQUIRE(h.state("g") == "Empty");
        h.advance(59000);
        CHECK(h.fetch("g").topics.size() == 1);
        h.advance(2000);
        CHECK(h.fetch("g").topics.empty());
        CHECK(h.state("g") == "Dead");
    }

    TEST_CASE("a retention time given with the commit (v2-v4) sets the offset's expiry") {
        harness h;
        harness::commit_args a;
        a.version = 2;
        a.retention_ms = 5000;
        h.commit(a);
        // Such a commit is written as OffsetCommitValue v1, the version with an expire time.
        REQUIRE_FALSE(h.log.empty());
        REQUIRE(h.log.back().value.has_value());
        CHECK((*h.log.back().value)[1] == 1);
        h.advance(h.config.offsets_retention_check_interval_ms);
        CHECK(h.fetch("g").topics.empty());
    }

    TEST_CASE("OffsetDelete refuses topics a consumer group subscribes to") {
        harness h;
        auto s = make_stable(h, "g", 1);  // subscribes to t1
        harness::commit_args a;
        a.member_id = s.members[0];
        a.generation = s.generation;
        a.offsets = {{"t1", 0, 5}, {"t2", 0, 6}};
        h.commit(a);
        msg::offset_delete_request r;
        r.group_id = "g";
        for (const char* t : {"t1", "t2"}) {
            auto& topic = r.topics.emplace_back();
            topic.name = t;
            topic.partitions.emplace_back().partition_index = 0;
        }
        auto resp = h.shard.offset_delete(r, 0, h.now);
        h.collect();
        CHECK(resp.error_code == 0);
        REQUIRE(resp.topics.size() == 2);
        CHECK(resp.topics[0].partitions[0].error_code == code(error_code::group_subscribed_to_topic));
        CHECK(resp.topics[1].partitions[0].error_code == 0);
        auto left = h.fetch("g");
        REQUIRE(left.topics.size() == 1);
        CHECK(left.topics[0].name == "t1");

        r.group_id = "nope";
        CHECK(h.shard.offset_delete(r, 0, h.now).error_code == code(error_code::group_id_not_found));
    }

    TEST_CASE("OffsetDelete on a non-consumer group with members is NON_EMPTY_GROUP") {
        harness h;
        join_args a;
        a.protocol_type = "connect";
        a.protocols = {{"sessioned", bytes("x")}};
        auto j = h.join_new(a);
        h.advance(5000);
        REQUIRE(j->has_value());
        msg::offset_delete_request r;
        r.group_id = "g";
        CHECK(h.shard.offset_delete(r, 0, h.now).error_code == code(error_code::non_empty_group));
    }

    TEST_CASE("DeleteGroups deletes an Empty group with its offsets, and only an Empty one") {
        harness h;
        auto s = make_stable(h, "g", 1);
        CHECK(h.shard.delete_group("g", h.now) == code(error_code::non_empty_group));
        CHECK(h.shard.delete_group("nope", h.now) == code(error_code::group_id_not_found));
        harness::commit_args a;
        a.member_id = s.members[0];
        a.generation = s.generation;
        a.offsets = {{"t1", 0, 5}, {"t1", 1, 6}};
        h.commit(a);
        h.leave("g", {{s.members[0], std::nullopt}});
        const size_t before = h.log.size();
        CHECK(h.shard.delete_group("g", h.now) == 0);
        h.collect();
        REQUIRE(h.log.size() == before + 3);  // two offset tombstones, then the group's
        for (size_t i = before; i < h.log.size(); ++i) CHECK_FALSE(h.log[i].value.has_value());
        CHECK(h.state("g") == "Dead");
        CHECK(h.fetch("g").topics.empty());
        CHECK(h.shard.delete_group("g", h.now) == code(error_code::group_id_not_found));
    }

    TEST_CASE("a deleted topic's offsets go from every group, other topics' stay") {
        harness h;
        harness::commit_args a;
        a.group = "a";
        a.offsets = {{"t1", 0, 5}, {"t1", 1, 6}, {"t2", 0, 7}};
        h.commit(a);
        harness::commit_args b;
        b.group = "b";
        b.offsets = {{"t1", 1, 8}, {"t1", 2, 9}};
        h.commit(b);
        const size_t before = h.log.size();
        // Only the partitions named go (b's t1-2 stays), as Kafka deletes those the topic had.
        h.shard.partitions_deleted({{"t1", {0, 1}}, {"gone", {0}}}, h.now);
        h.collect();
        REQUIRE(h.log.size() == before + 3);  // a: t1-0, t1-1; b: t1-1
        for (size_t i = before; i < h.log.size(); ++i) CHECK_FALSE(h.log[i].value.has_value());

        auto fa = h.fetch("a");
        REQUIRE(fa.topics.size() == 1);
        CHECK(fa.topics[0].name == "t2");
        auto fb = h.fetch("b");
        REQUIRE(fb.topics.size() == 1);
        REQUIRE(fb.topics[0].partitions.size() == 1);
        CHECK(fb.topics[0].partitions[0].partition_index == 2);

        // Nothing left to delete: no records.
        h.shard.partitions_deleted({{"t1", {0, 1}}}, h.now);
        h.collect();
        CHECK(h.log.size() == before + 3);
    }

    TEST_CASE("offset metadata is measured in Java characters, as Kafka measures it") {
        coordinator_config small;
        small.offset_metadata_max_bytes = 4;
        harness h(small);
        harness::commit_args c;
        c.metadata = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";  // four euro signs, 12 bytes
        CHECK(harness::errors(h.commit(c)) == std::vector<int16_t>{0});
        c.metadata = "\xf0\x9f\x98\x80\xf0\x9f\x98\x80" "a";  // two surrogate pairs and "a": 5
        CHECK(harness::errors(h.commit(c)) ==
              std::vector<int16_t>{code(error_code::offset_metadata_too_large)});
    }

    TEST_CASE("ListGroups filters by state (case-insensitively) and by type") {
        harness h;
        make_stable(h, "stable", 1);
        harness::commit_args a;
        a.group = "empty";
        h.commit(a);
        std::vector<std::string> states{" stable "};
        auto l = h.shard.list_groups(states, {}, 5);
        REQUIRE(l.size() == 1);
        CHECK(l[0].group_id == "stable");
        CHECK(l[0].protocol_type == "consumer");
        std::vector<std::string> types{"Classic"};
        CHECK(h.shard.list_groups({}, types, 5).size() == 2);
        types = {"consumer"};
        CHECK(h.shard.list_groups({}, types, 5).empty());
    }

    TEST_CASE("DescribeGroups shows no member metadata outside Stable and Dead for unknown") {
        harness h;
        auto d = h.shard.describe_group("unknown", 5);
        CHECK(d.error_code == 0);
        CHECK(d.group_state == "Dead");
        CHECK(d.protocol_type == "");
        auto j = h.join_new({});
        h.advance(h.config.group_initial_rebalance_delay_ms);
        REQUIRE(j->has_value());
        d = h.shard.describe_group("g", 5);
        CHECK(d.group_state == "CompletingRebalance");
        CHECK(d.protocol_data == "");
        REQUIRE(d.members.size() == 1);
        CHECK(d.members[0].member_metadata.empty());
        CHECK(d.members[0].client_id == "client");
    }
}
