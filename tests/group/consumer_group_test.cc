// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KIP-848 consumer groups on a shard: joining, reconciliation (revoke before assign),
// leaving, session and rebalance timeouts, static members, epochs, and what a group shows
// to describe, list, offsets and a shard rebuilt from its records.
#include <doctest/doctest.h>

#include "consumer_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

namespace {

using client_list = std::vector<consumer_client*>;

// Heartbeats every member in turn until nothing changes for a full round.
void converge(consumer_harness& h, const client_list& members, int max_rounds = 20) {
    for (int round = 0; round < max_rounds; ++round) {
        bool changed = false;
        for (auto* m : members) {
            const auto before = std::make_pair(m->epoch, m->owned);
            m->poll(h);
            REQUIRE(m->last_error == 0);
            changed = changed || before != std::make_pair(m->epoch, m->owned);
        }
        if (!changed) return;
    }
    FAIL("the group did not converge");
}

size_t count(const assignment& a) {
    size_t n = 0;
    for (const auto& [_, ps] : a) n += ps.size();
    return n;
}

// Every partition of `topic` is owned by exactly one of the members.
void check_disjoint_and_complete(const client_list& members, const std::string& topic,
                                 int32_t partitions) {
    std::map<int32_t, int> owners;
    for (auto* m : members) {
        auto it = m->owned.find(topic);
        if (it == m->owned.end()) continue;
        for (int32_t p : it->second) ++owners[p];
    }
    CHECK(owners.size() == static_cast<size_t>(partitions));
    for (const auto& [p, n] : owners) CHECK(n == 1);
}

// An OffsetCommit of t-0 at offset 10 by a member, with its member epoch.
harness::commit_args member_commit(const consumer_client& m) {
    harness::commit_args c;
    c.group = m.group;
    c.member_id = m.id;
    c.generation = m.epoch;
    c.offsets = {{"t", 0, 10}};
    return c;
}

// The member leaves the group (member epoch -1).
msg::consumer_group_heartbeat_response leave(consumer_harness& h, const consumer_client& m) {
    hb_args a;
    a.group = m.group;
    a.member_id = m.id;
    a.epoch = -1;
    return h.hb(a);
}

// Three members joined on a 6-partition topic and converged.
struct three_members {
    consumer_harness h;
    consumer_client a, b, c;

    explicit three_members(coordinator_config config = {}) : h(config) {
        h.image.add("t", 6);
        a.client_id = "a";
        b.client_id = "b";
        c.client_id = "c";
        for (auto* m : {&a, &b, &c}) {
            m->join(h);
            REQUIRE(m->last_error == 0);
        }
        converge(h, all());
    }
    client_list all() { return {&a, &b, &c}; }
};

}  // namespace

TEST_SUITE("group.consumer") {
    TEST_CASE("consumer group: three members converge to a disjoint, complete assignment") {
        three_members g;
        const auto d = g.h.describe();
        CHECK(d.error_code == 0);
        CHECK(d.group_state == "Stable");
        CHECK(d.group_epoch == d.assignment_epoch);
        for (auto* m : g.all()) {
            CHECK(m->epoch == d.group_epoch);
            CHECK(count(m->owned) == 2);
            CHECK(m->id.size() == 22);  // a Kafka Uuid, base64 without padding
        }
        check_disjoint_and_complete(g.all(), "t", 6);
        // Heartbeats of a settled group change nothing and write nothing.
        const size_t written = g.h.log.size();
        for (auto* m : g.all()) {
            auto r = m->poll(g.h);
            CHECK(!r.assignment);
        }
        CHECK(g.h.log.size() == written);
    }

    TEST_CASE("consumer group: the records are Kafka's record types") {
        consumer_harness h;
        h.image.add("t", 2);
        consumer_client a;
        a.join(h);
        std::vector<int16_t> types;
        for (const auto& r : h.log) types.push_back(static_cast<int16_t>((r.key[0] << 8) | r.key[1]));
        // Member, subscription metadata, group epoch, target assignment and its epoch, and
        // the member's current assignment: in the order Kafka writes them.
        CHECK(types == std::vector<int16_t>{5, 4, 3, 7, 6, 8});
        leave(h, a);
        types.clear();
        for (size_t i = 6; i < h.log.size(); ++i) {
            types.push_back(static_cast<int16_t>((h.log[i].key[0] << 8) | h.log[i].key[1]));
            // The member's three records go; the metadata (now of no topic) and epoch stay.
            CHECK(h.log[i].value.has_value() == (types.back() == 3 || types.back() == 4));
        }
        CHECK(types == std::vector<int16_t>{8, 7, 5, 4, 3});
    }

    TEST_CASE("consumer group: a joining member gets partitions only after their owner revoked them") {
        three_members g;
        const int32_t before = g.h.describe().group_epoch;
        consumer_client d;
        auto r = d.join(g.h);
        REQUIRE(r.error_code == 0);
        CHECK(g.h.describe().group_epoch == before + 1);
        // Everything d is to get is still owned: nothing yet.
        CHECK(count(d.owned) == 0);
        CHECK(g.h.describe().group_state == "Reconciling");

        // One of a, b, c is asked to give a partition up and stays in its epoch meanwhile.
        consumer_client* revoking = nullptr;
        for (auto* m : g.all()) {
            const int32_t epoch = m->epoch;
            m->poll(g.h);
            if (count(m->owned) == 1) {
                revoking = m;
                CHECK(m->epoch == epoch);
            } else {
                CHECK(m->epoch == before + 1);
            }
        }
        REQUIRE(revoking != nullptr);
        // d waits for the release; once the revoking member acknowledged, d gets it.
        d.poll(g.h);
        CHECK(count(d.owned) == 0);
        revoking->poll(g.h);
        CHECK(revoking->epoch == before + 1);
        d.poll(g.h);
        CHECK(count(d.owned) >= 1);
        client_list all = {&g.a, &g.b, &g.c, &d};
        converge(g.h, all);
        check_disjoint_and_complete(all, "t", 6);
        CHECK(g.h.describe().group_state == "Stable");
    }

    TEST_CASE("consumer group: a member that leaves gives its partitions to the others") {
        three_members g;
        auto r = leave(g.h, g.c);
        CHECK(r.error_code == 0);
        CHECK(r.member_epoch == -1);
        CHECK(g.h.describe().members.size() == 2);
        client_list left = {&g.a, &g.b};
        converge(g.h, left);
        check_disjoint_and_complete(left, "t", 6);
        CHECK(count(g.a.owned) == 3);
        // The member is gone: its next heartbeat is refused.
        g.c.poll(g.h);
        CHECK(g.c.last_error == code(error_code::unknown_member_id));
    }

    TEST_CASE("consumer group: a member whose session expires is fenced") {
        three_members g;
        // a and b keep heartbeating, c goes silent.
        for (int i = 0; i < 6; ++i) {
            g.h.advance(10000);
            g.a.poll(g.h);
            g.b.poll(g.h);
        }
        CHECK(g.h.describe().members.size() == 2);
        client_list left = {&g.a, &g.b};
        converge(g.h, left);
        check_disjoint_and_complete(left, "t", 6);
        g.c.poll(g.h);
        CHECK(g.c.last_error == code(error_code::unknown_member_id));
    }

    TEST_CASE("consumer group: a member that never revokes is fenced after its rebalance timeout") {
        three_members g;
        g.a.revokes = g.b.revokes = g.c.revokes = false;
        consumer_client d;
        d.join(g.h);
        for (int i = 0; i < 8; ++i) {
            g.h.advance(10000);
            for (auto* m : g.all()) m->poll(g.h);
            d.poll(g.h);
        }
        // The member asked to revoke kept its partitions past the 60 s it joined with.
        int fenced = 0;
        for (auto* m : g.all()) fenced += m->last_error == code(error_code::unknown_member_id);
        CHECK(fenced >= 1);
        CHECK(count(d.owned) >= 1);
    }

    TEST_CASE("consumer group: a static member leaves and rejoins without a rebalance") {
        consumer_harness h;
        h.image.add("t", 6);
        consumer_client a, b;
        a.instance = "i-a";
        b.instance = "i-b";
        a.join(h);
        b.join(h);
        converge(h, {&a, &b});
        const auto owned = a.owned;
        const int32_t epoch = h.describe().group_epoch;

        // Another process with the same instance id cannot join while a is active.
        hb_args other;
        other.instance = "i-a";
        other.rebalance_ms = 60000;
        other.topics = std::vector<std::string>{"t"};
        other.owned = assignment{};
        CHECK(h.hb(other).error_code == code(error_code::unreleased_instance_id));
        // Nor heartbeat with a member id that is not the instance's.
        hb_args wrong;
        wrong.member_id = "someone-else";
        wrong.instance = "i-a";
        wrong.epoch = a.epoch;
        CHECK(h.hb(wrong).error_code == code(error_code::fenced_instance_id));

        hb_args leave;
        leave.member_id = a.id;
        leave.instance = "i-a";
        leave.epoch = -2;
        auto r = h.hb(leave);
        CHECK(r.error_code == 0);
        CHECK(r.member_epoch == -2);
        CHECK(h.describe().group_epoch == epoch);
        // b does not get a's partitions while a is away.
        b.poll(h);
        CHECK(count(b.owned) == 3);

        // a comes back (a new process, a new member id) and finds its partitions.
        const std::string old_id = a.id;
        a.id.clear();
        a.owned.clear();
        a.join(h);
        CHECK(a.last_error == 0);
        CHECK(a.id != old_id);
        CHECK(a.owned == owned);
        CHECK(a.epoch == epoch);
        CHECK(h.describe().group_epoch == epoch);
        CHECK(h.describe().members.size() == 2);
    }

    TEST_CASE("consumer group: a static member that left is fenced when its session expires") {
        consumer_harness h;
        h.image.add("t", 4);
        consumer_client a, b;
        a.instance = "i-a";
        a.join(h);
        b.join(h);
        converge(h, {&a, &b});
        hb_args leave;
        leave.member_id = a.id;
        leave.instance = "i-a";
        leave.epoch = -2;
        REQUIRE(h.hb(leave).error_code == 0);
        for (int i = 0; i < 6; ++i) {
            h.advance(10000);
            b.poll(h);
        }
        converge(h, {&b});
        CHECK(count(b.owned) == 4);
        CHECK(h.describe().members.size() == 1);
    }

    TEST_CASE("consumer group: member epochs are fenced except for a lost response") {
        three_members g;
        hb_args ahead;
        ahead.member_id = g.a.id;
        ahead.epoch = g.a.epoch + 1;
        auto r = g.h.hb(ahead);
        CHECK(r.error_code == code(error_code::fenced_member_epoch));
        CHECK(r.error_message.value_or("").find("greater member epoch") != std::string::npos);

        // A fourth member bumps the epoch and everyone moves on.
        consumer_client d;
        d.join(g.h);
        const int32_t old_epoch = g.a.epoch;
        converge(g.h, {&g.a, &g.b, &g.c, &d});
        REQUIRE(g.a.epoch > old_epoch);
        hb_args stale;
        stale.member_id = g.a.id;
        stale.epoch = old_epoch;
        // Partitions outside its assignment: fenced.
        stale.owned = assignment{{"t", {0, 1, 2, 3, 4, 5}}};
        CHECK(g.h.hb(stale).error_code == code(error_code::fenced_member_epoch));
        // An older epoch still: fenced.
        stale.epoch = old_epoch - 1;
        stale.owned = g.a.owned;
        r = g.h.hb(stale);
        CHECK(r.error_code == code(error_code::fenced_member_epoch));
        CHECK(r.error_message.value_or("").find("smaller member epoch") != std::string::npos);
    }

    TEST_CASE("consumer group: the previous epoch is accepted right after a bump") {
        consumer_harness h;
        h.image.add("t", 2);
        consumer_client a;
        a.join(h);
        converge(h, {&a});
        const int32_t e1 = a.epoch;
        // A topic grows: a moves to the next epoch in one heartbeat.
        h.image.topics["t"].partitions = 4;
        a.poll(h);
        REQUIRE(a.epoch == e1 + 1);
        hb_args lost;
        lost.member_id = a.id;
        lost.epoch = e1;
        lost.owned = assignment{{"t", {0, 1}}};
        auto r = h.hb(lost);
        CHECK(r.error_code == 0);
        CHECK(r.member_epoch == e1 + 1);
    }

    TEST_CASE("consumer group: partitions added to a subscribed topic bump the group epoch") {
        three_members g;
        const int32_t epoch = g.h.describe().group_epoch;
        g.h.image.topics["t"].partitions = 9;
        g.a.poll(g.h);
        CHECK(g.h.describe().group_epoch == epoch + 1);
        converge(g.h, g.all());
        check_disjoint_and_complete(g.all(), "t", 9);
        for (auto* m : g.all()) CHECK(count(m->owned) == 3);
    }

    TEST_CASE("consumer group: offsets are committed with the member epoch") {
        three_members g;
        auto c = member_commit(g.a);
        CHECK(harness::errors(g.h.commit(c)) == std::vector<int16_t>{0});
        c.generation = g.a.epoch - 1;
        CHECK(harness::errors(g.h.commit(c)) ==
              std::vector<int16_t>{code(error_code::stale_member_epoch)});
        c.generation = g.a.epoch;
        c.member_id = "nobody";
        CHECK(harness::errors(g.h.commit(c)) ==
              std::vector<int16_t>{code(error_code::unknown_member_id)});
        c.member_id = g.a.id;
        c.version = 8;
        CHECK(harness::errors(g.h.commit(c)) ==
              std::vector<int16_t>{code(error_code::unsupported_version)});
        // A simple commit is refused while the group has members.
        harness::commit_args simple;
        simple.group = "cg";
        simple.offsets = {{"t", 1, 5}};
        CHECK(harness::errors(g.h.commit(simple)) ==
              std::vector<int16_t>{code(error_code::unknown_member_id)});

        auto f = g.h.fetch("cg");
        REQUIRE(f.topics.size() == 1);
        CHECK(f.topics[0].partitions[0].committed_offset == 10);
        msg::offset_fetch_request::offset_fetch_request_group stale;
        stale.group_id = "cg";
        stale.member_id = g.a.id;
        stale.member_epoch = g.a.epoch + 5;
        CHECK(g.h.shard.offset_fetch(stale, 9, false).error_code ==
              code(error_code::stale_member_epoch));
        stale.member_epoch = g.a.epoch;
        CHECK(g.h.shard.offset_fetch(stale, 9, false).error_code == 0);
    }

    TEST_CASE("consumer group: describe and list show the group as Kafka does") {
        three_members g;
        g.h.image.add("other", 1);
        const auto d = g.h.describe();
        CHECK(d.group_id == "cg");
        CHECK(d.assignor_name == "uniform");
        REQUIRE(d.members.size() == 3);
        for (const auto& m : d.members) {
            CHECK(m.client_host == "/127.0.0.1");
            CHECK(m.subscribed_topic_names == std::vector<std::string>{"t"});
            REQUIRE(m.assignment.topic_partitions.size() == 1);
            CHECK(m.assignment.topic_partitions[0].topic_name == "t");
            CHECK(m.assignment == m.target_assignment);
        }
        CHECK(g.h.describe("nope").error_code == code(error_code::group_id_not_found));

        make_stable(g.h, "classic", 1);
        CHECK(g.h.describe("classic").error_code == code(error_code::group_id_not_found));
        // DescribeGroups knows only classic groups: Kafka 3.9 answers Dead.
        CHECK(g.h.shard.describe_group("cg", 5).group_state == "Dead");

        auto all = g.h.shard.list_groups({}, {}, 5);
        REQUIRE(all.size() == 2);
        CHECK(all[0].group_id == "cg");
        CHECK(all[0].group_type == "consumer");
        CHECK(all[0].protocol_type == "consumer");
        CHECK(all[0].group_state == "Stable");
        CHECK(all[1].group_type == "classic");
        std::vector<std::string> consumer_type = {"Consumer"};
        auto only = g.h.shard.list_groups({}, consumer_type, 5);
        REQUIRE(only.size() == 1);
        CHECK(only[0].group_id == "cg");
        std::vector<std::string> empty_state = {"empty"};
        CHECK(g.h.shard.list_groups(empty_state, consumer_type, 5).empty());
        // Kafka trims a state filter as it lower-cases it, for both kinds of group.
        std::vector<std::string> stable_state = {" STABLE "};
        CHECK(g.h.shard.list_groups(stable_state, consumer_type, 5).size() == 1);
    }

    TEST_CASE("consumer group: a group is deleted only when empty, with its offsets") {
        three_members g;
        auto c = member_commit(g.a);
        g.h.commit(c);
        CHECK(g.h.shard.delete_group("cg", g.h.now) == code(error_code::non_empty_group));
        for (auto* m : g.all()) REQUIRE(leave(g.h, *m).error_code == 0);
        CHECK(g.h.describe().group_state == "Empty");
        CHECK(g.h.shard.delete_group("cg", g.h.now) == 0);
        g.h.collect();
        CHECK(g.h.describe().error_code == code(error_code::group_id_not_found));
        CHECK(g.h.fetch("cg").topics.empty());
    }

    TEST_CASE("consumer group: offsets of an empty group expire and the group goes") {
        coordinator_config config;
        config.offsets_retention_minutes = 1;
        config.offsets_retention_check_interval_ms = 10000;
        three_members g(config);
        auto c = member_commit(g.a);
        g.h.commit(c);
        // While members subscribe to the topic its offsets stay.
        for (int i = 0; i < 9; ++i) {
            g.h.advance(10000);
            for (auto* m : g.all()) m->poll(g.h);
        }
        CHECK(!g.h.fetch("cg").topics.empty());
        for (auto* m : g.all()) leave(g.h, *m);
        g.h.advance(20000);
        CHECK(g.h.fetch("cg").topics.empty());
        CHECK(g.h.describe().error_code == code(error_code::group_id_not_found));
    }

    TEST_CASE("consumer group: requests are validated with Kafka's errors") {
        consumer_harness h;
        h.image.add("t", 3);
        hb_args a;
        a.rebalance_ms = 60000;
        a.owned = assignment{};
        auto r = h.hb(a);
        CHECK(r.error_code == code(error_code::invalid_request));
        CHECK(r.error_message == "SubscribedTopicNames must be set in first request.");
        a.topics = std::vector<std::string>{"t"};
        a.owned.reset();
        CHECK(h.hb(a).error_message == "TopicPartitions must be empty when (re-)joining.");
        a.owned = assignment{};
        a.rebalance_ms = -1;
        CHECK(h.hb(a).error_message == "RebalanceTimeoutMs must be provided in first request.");
        a.rebalance_ms = 60000;
        a.instance = " ";
        CHECK(h.hb(a).error_message == "InstanceId can't be empty.");
        a.instance.reset();
        a.epoch = 3;
        CHECK(h.hb(a).error_message == "MemberId can't be empty.");
        a.epoch = -3;
        CHECK(h.hb(a).error_message == "MemberEpoch is invalid.");
        a.epoch = 0;
        a.assignor = "sticky";
        r = h.hb(a);
        CHECK(r.error_code == code(error_code::unsupported_assignor));
        CHECK(r.error_message ==
              "ServerAssignor sticky is not supported. Supported assignors: uniform, range.");
        a.assignor = "range";
        r = h.hb(a);
        CHECK(r.error_code == 0);
        CHECK(r.heartbeat_interval_ms == 5000);
        CHECK(h.describe().assignor_name == "range");

        hb_args unknown;
        unknown.member_id = "ghost";
        unknown.epoch = 1;
        CHECK(h.hb(unknown).error_code == code(error_code::unknown_member_id));
        unknown.group = "no-such-group";
        CHECK(h.hb(unknown).error_code == code(error_code::group_id_not_found));
        CHECK(h.shard.take_records().empty());
    }

    TEST_CASE("consumer group: group.consumer.max.size turns new members away") {
        coordinator_config config;
        config.consumer_max_size = 1;
        consumer_harness h(config);
        h.image.add("t", 3);
        consumer_client a, b;
        a.join(h);
        CHECK(a.last_error == 0);
        b.join(h);
        CHECK(b.last_error == code(error_code::group_max_size_reached));
        a.poll(h);
        CHECK(a.last_error == 0);
    }

    TEST_CASE("consumer group: classic and consumer groups share the group ids") {
        consumer_harness h;
        h.image.add("t", 3);
        make_stable(h, "classic", 1);
        consumer_client a;
        a.group = "classic";
        auto r = a.join(h);
        CHECK(r.error_code == code(error_code::group_id_not_found));
        CHECK(r.error_message == "Group classic is not a consumer group.");

        // A group that only holds offsets (an empty classic group) becomes a consumer group.
        harness::commit_args c;
        c.group = "simple";
        c.offsets = {{"t", 0, 7}};
        h.commit(c);
        consumer_client s;
        s.group = "simple";
        s.join(h);
        CHECK(s.last_error == 0);
        CHECK(h.fetch("simple").topics.size() == 1);
        CHECK(h.state("simple") == "Dead");

        // JoinGroup on a non-empty consumer group is refused; on an empty one it replaces it.
        join_args j;
        j.group = "simple";
        auto joined = h.join(j);
        REQUIRE(joined->has_value());
        CHECK((*joined)->error_code == code(error_code::inconsistent_group_protocol));
        REQUIRE(leave(h, s).error_code == 0);
        auto first = h.join(j);
        REQUIRE(first->has_value());
        CHECK((*first)->error_code == code(error_code::member_id_required));
        CHECK(h.describe("simple").error_code == code(error_code::group_id_not_found));
        CHECK(h.fetch("simple").topics.size() == 1);
        // Classic heartbeats to a consumer group name no member.
        consumer_client x;
        x.join(h);
        CHECK(h.heartbeat("cg", x.id, x.epoch) == code(error_code::unknown_member_id));
    }

    TEST_CASE("consumer group: a shard rebuilt from the records describes the same groups") {
        three_members g;
        consumer_client d, s;
        d.join(g.h);
        s.instance = "static";
        s.join(g.h);
        client_list all = {&g.a, &g.b, &g.c, &d, &s};
        converge(g.h, all);
        hb_args away;
        away.member_id = s.id;
        away.instance = "static";
        away.epoch = -2;
        g.h.hb(away);
        // Mid-reconciliation state too: a fifth member has joined but not converged.
        consumer_client e;
        e.join(g.h);
        g.a.poll(g.h);
        g.h.commit(member_commit(g.a));
        // And a group deleted after everyone left.
        consumer_client gone;
        gone.group = "gone";
        gone.join(g.h);
        leave(g.h, gone);
        g.h.shard.delete_group("gone", g.h.now);
        g.h.collect();

        coordinator_shard copy(g.h.config);
        for (const auto& r : g.h.log) {
            std::optional<std::span<const uint8_t>> value;
            if (r.value) value = std::span<const uint8_t>(*r.value);
            REQUIRE(copy.replay(r.key, value));
        }
        copy.loaded(g.h.now);
        const auto view = g.h.image.view();
        CHECK(copy.consumer_group_describe("cg", 0, view) == g.h.describe("cg"));
        CHECK(copy.consumer_group_describe("gone", 0, view) == g.h.describe("gone"));
        CHECK(copy.list_groups({}, {}, 5) == g.h.shard.list_groups({}, {}, 5));
        msg::offset_fetch_request::offset_fetch_request_group f;
        f.group_id = "cg";
        f.topics = std::nullopt;
        CHECK(copy.offset_fetch(f, 9, false) == g.h.shard.offset_fetch(f, 9, false));

        // The rebuilt shard carries on: the members heartbeat to it as before.
        auto r = copy.consumer_group_heartbeat(
            [&] {
                msg::consumer_group_heartbeat_request q;
                q.group_id = "cg";
                q.member_id = g.b.id;
                q.member_epoch = g.b.epoch;
                return q;
            }(),
            0, {"b", "/127.0.0.1"}, view, g.h.now);
        CHECK(r.error_code == 0);
    }
}
