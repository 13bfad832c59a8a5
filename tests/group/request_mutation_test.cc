// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The group coordinator fed randomly mutated requests (tests/support/request_mutator.h):
// the classic protocol, offsets and KIP-848 heartbeats against a Stable group of two
// members, in every version the broker serves, with time moving between them. Every answer
// must encode in its version (JoinGroup and SyncGroup answers may come later, when time
// moves), and every record the shard wrote must load into a fresh shard.
#include <doctest/doctest.h>

#include "request_mutator.h"
#include "shard_fixture.h"

namespace eddy::group_test {
namespace {

using eddy::test::check_encodes;
using eddy::test::request_mutator;

constexpr int rounds_per_api = 1500;

// A Stable classic group "g" of two members, with time moved on after each mutation
// (0 to 4 s, in turn) so that sessions, rebalances and delayed joins run their course.
struct mutated_group {
    harness h;
    stable_group g = make_stable(h, "g", 2);
    int rounds = 0;

    template <class Req, class Handle>
    void exercise(uint32_t seed_value, const Req& seed, int16_t min_version, int16_t max_version, Handle handle) {
        request_mutator m(seed_value);
        const int handled = eddy::test::exercise_mutations(
            m, seed, min_version, max_version, rounds_per_api, [&](Req req, int16_t v) {
                handle(std::move(req), v);
                h.collect();
                h.advance(1000 * (rounds++ % 5));
            });
        CHECK(handled > rounds_per_api / 10);
        h.advance(600'000);  // every session and rebalance ends, every parked answer is sent
    }

    // Every record written loads into a fresh shard, as after a restart.
    void check_replays() {
        coordinator_shard fresh(h.config);
        for (const coordinator_record& r : h.log) {
            std::optional<std::span<const uint8_t>> value;
            if (r.value) value = std::span<const uint8_t>(*r.value);
            CHECK(fresh.replay(r.key, value, r.producer_id));
        }
    }
};

TEST_CASE("mutated JoinGroup, SyncGroup, Heartbeat and LeaveGroup requests are answered") {
    mutated_group s;
    const std::string leader = s.g.members[0];
    msg::join_group_request join;
    join.group_id = "g";
    join.member_id = leader;
    join.session_timeout_ms = 10000;
    join.rebalance_timeout_ms = 30000;
    join.protocol_type = "consumer";
    join.protocols.push_back({"range", subscription({"t1", "t2"}), {}});
    join.protocols.push_back({"roundrobin", subscription({"t1"}), {}});
    s.exercise(50, join, 0, 9, [&](msg::join_group_request req, int16_t v) {
        s.h.shard.join_group(std::move(req), v, {"client", "/127.0.0.1"}, s.h.now,
                             [v](msg::join_group_response r) { check_encodes(r, v); });
    });

    msg::sync_group_request sync;
    sync.group_id = "g";
    sync.member_id = leader;
    sync.generation_id = s.g.generation;
    sync.protocol_type = "consumer";
    sync.protocol_name = "range";
    for (const std::string& m : s.g.members) sync.assignments.push_back({m, bytes("to " + m), {}});
    s.exercise(51, sync, 0, 5, [&](msg::sync_group_request req, int16_t v) {
        s.h.shard.sync_group(std::move(req), v, s.h.now,
                             [v](msg::sync_group_response r) { check_encodes(r, v); });
    });

    msg::heartbeat_request heartbeat;
    heartbeat.group_id = "g";
    heartbeat.member_id = s.g.members[1];
    heartbeat.generation_id = s.g.generation;
    s.exercise(52, heartbeat, 0, 4, [&](msg::heartbeat_request req, int16_t v) {
        check_encodes(s.h.shard.heartbeat(req, v, s.h.now), v);
    });

    msg::leave_group_request leave;
    leave.group_id = "g";
    leave.member_id = s.g.members[1];
    leave.members.push_back({s.g.members[1], std::nullopt, std::nullopt, {}});
    leave.members.push_back({leader, std::string("static-1"), std::string("bye"), {}});
    s.exercise(53, leave, 0, 5, [&](msg::leave_group_request req, int16_t v) {
        check_encodes(s.h.shard.leave_group(req, v, s.h.now), v);
    });
    s.check_replays();
}

TEST_CASE("mutated OffsetCommit, TxnOffsetCommit, OffsetDelete and OffsetFetch requests are answered") {
    mutated_group s;
    msg::offset_commit_request commit;
    commit.group_id = "g";
    commit.member_id = s.g.members[0];
    commit.generation_id_or_member_epoch = s.g.generation;
    auto& t = commit.topics.emplace_back();
    t.name = "t1";
    t.partitions.push_back({0, 42, 3, -1, std::string("meta"), {}});
    t.partitions.push_back({1, 7, -1, -1, std::nullopt, {}});
    s.exercise(54, commit, 0, 9, [&](msg::offset_commit_request req, int16_t v) {
        check_encodes(s.h.shard.offset_commit(req, v, s.h.now), v);
    });

    msg::txn_offset_commit_request txn;
    txn.transactional_id = "tx";
    txn.group_id = "g";
    txn.producer_id = 4000;
    txn.producer_epoch = 1;
    txn.generation_id = s.g.generation;
    txn.member_id = s.g.members[1];
    auto& tt = txn.topics.emplace_back();
    tt.name = "t2";
    tt.partitions.push_back({2, 100, -1, std::string(""), {}});
    s.exercise(55, txn, 0, 4, [&](msg::txn_offset_commit_request req, int16_t v) {
        check_encodes(s.h.shard.txn_offset_commit(req, v, s.h.now), v);
    });

    msg::offset_delete_request del;
    del.group_id = "g";
    auto& dt = del.topics.emplace_back();
    dt.name = "t1";
    dt.partitions.push_back({1, {}});
    s.exercise(56, del, 0, 0, [&](msg::offset_delete_request req, int16_t v) {
        check_encodes(s.h.shard.offset_delete(req, v, s.h.now), v);
    });

    msg::offset_fetch_request fetch;
    auto& group = fetch.groups.emplace_back();
    group.group_id = "g";
    group.topics.emplace().push_back({"t1", {0, 1, 2}, {}});
    fetch.require_stable = true;
    s.exercise(57, fetch, 8, 9, [&](msg::offset_fetch_request req, int16_t v) {
        msg::offset_fetch_response response;
        for (const auto& g : req.groups)
            response.groups.push_back(s.h.shard.offset_fetch(g, v, req.require_stable));
        check_encodes(response, v);
    });
    s.check_replays();
}

TEST_CASE("mutated ConsumerGroupHeartbeat requests are answered") {
    mutated_group s;
    codec::uuid t1_id;
    t1_id.bytes[15] = 1;
    topic_view topics;
    topics.by_name = [&](std::string_view name) -> std::optional<topic_info> {
        if (name == "t1") return topic_info{t1_id, "t1", 3};
        return std::nullopt;
    };
    topics.by_id = [&](const codec::uuid& id) -> std::optional<topic_info> {
        if (id == t1_id) return topic_info{t1_id, "t1", 3};
        return std::nullopt;
    };
    msg::consumer_group_heartbeat_request join;
    join.group_id = "cg";
    join.member_epoch = 0;
    join.rebalance_timeout_ms = 30000;
    join.subscribed_topic_names = std::vector<std::string>{"t1", "t9"};
    join.server_assignor = "uniform";
    join.topic_partitions.emplace().push_back({t1_id, {0, 1}, {}});
    s.exercise(58, join, 0, 0, [&](msg::consumer_group_heartbeat_request req, int16_t v) {
        check_encodes(s.h.shard.consumer_group_heartbeat(req, v, {"client", "/127.0.0.1"}, topics, s.h.now), v);
    });
    s.check_replays();
}

}  // namespace
}  // namespace eddy::group_test
