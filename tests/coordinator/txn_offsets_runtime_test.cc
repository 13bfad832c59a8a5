// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Transactional offsets through the runtime on a real __consumer_offsets partition: the
// TxnOffsetCommit batches open the producer's transaction in the log, the marker written
// by complete_transaction ends it, and a shard reloaded from the log agrees.
#include "runtime_fixture.h"

#include <doctest/doctest.h>

#include <future>

using namespace eddy;
using cluster::test::cluster_fixture;
using group::test::borrow;
using group::test::wait_loaded;

namespace {

constexpr int64_t producer = 7000;
constexpr int16_t epoch = 0;

int16_t txn_commit(group::coordinator_runtime& rt, int32_t partition, int64_t offset) {
    msg::txn_offset_commit_request req;
    req.transactional_id = "tx";
    req.group_id = "g";
    req.producer_id = producer;
    req.producer_epoch = epoch;
    auto& t = req.topics.emplace_back();
    t.name = "t";
    auto& p = t.partitions.emplace_back();
    p.partition_index = partition;
    p.committed_offset = offset;
    using response = msg::txn_offset_commit_response;
    auto op = [req](group::coordinator_shard& shard, int64_t now, group::reply<response> done) {
        done(shard.txn_offset_commit(req, 3, now));
    };
    auto r = cluster_fixture::run(rt.call<response>(0, std::move(op)));
    REQUIRE(r.error == error_code::none);
    return r.response.topics.at(0).partitions.at(0).error_code;
}

// The stable view of t-0 and t-1: offset, or -2 for UNSTABLE_OFFSET_COMMIT.
std::vector<int64_t> fetch_stable(group::coordinator_runtime& rt) {
    using fetched_group = msg::offset_fetch_response::offset_fetch_response_group;
    auto op = [](group::coordinator_shard& shard, int64_t, group::reply<fetched_group> done) {
        msg::offset_fetch_request::offset_fetch_request_group g;
        g.group_id = "g";
        g.topics = {{"t", {0, 1}, {}}};
        done(shard.offset_fetch(g, 8, true));
    };
    auto r = cluster_fixture::run(rt.call<fetched_group>(0, std::move(op)));
    REQUIRE(r.error == error_code::none);
    std::vector<int64_t> out;
    for (const auto& p : r.response.topics.at(0).partitions) {
        const bool unstable =
            p.error_code == static_cast<int16_t>(error_code::unstable_offset_commit);
        out.push_back(unstable ? -2 : p.committed_offset);
    }
    return out;
}

error_code end_txn(group::coordinator_runtime& rt, bool commit) {
    record::txn_marker m;
    m.producer_id = producer;
    m.producer_epoch = epoch;
    m.commit = commit;
    // done runs once, on the partition's strand.
    auto done = std::make_shared<std::promise<error_code>>();
    rt.complete_transaction(0, m, [done](error_code e) { done->set_value(e); });
    return done->get_future().get();
}

}  // namespace

TEST_SUITE("coordinator.txn_offsets") {
    TEST_CASE("transactional offsets wait for the marker, and a reloaded shard agrees") {
        cluster_fixture f;
        f.create_topic({"__consumer_offsets", 1});
        {
            group::coordinator_runtime rt(1, {}, borrow(f.replicas()));
            rt.apply_image(f.replicas().image());
            wait_loaded(rt, 0);
            // Two commits in one transaction: the second batch continues the sequence.
            CHECK(txn_commit(rt, 0, 10) == 0);
            CHECK(txn_commit(rt, 0, 11) == 0);
            CHECK(fetch_stable(rt) == std::vector<int64_t>{-2, -1});
            CHECK(end_txn(rt, true) == error_code::none);
            CHECK(fetch_stable(rt) == std::vector<int64_t>{11, -1});

            // The next transaction of the same producer is aborted.
            CHECK(txn_commit(rt, 0, 20) == 0);
            CHECK(end_txn(rt, false) == error_code::none);
            CHECK(fetch_stable(rt) == std::vector<int64_t>{11, -1});

            // One left open.
            CHECK(txn_commit(rt, 1, 30) == 0);
            CHECK(fetch_stable(rt) == std::vector<int64_t>{11, -2});
            rt.stop();
        }
        group::coordinator_runtime again(1, {}, borrow(f.replicas()));
        again.apply_image(f.replicas().image());
        wait_loaded(again, 0);
        CHECK(fetch_stable(again) == std::vector<int64_t>{11, -2});
        CHECK(end_txn(again, true) == error_code::none);
        CHECK(fetch_stable(again) == std::vector<int64_t>{11, 30});
    }

    TEST_CASE("a marker for a partition not hosted here is NOT_COORDINATOR") {
        cluster_fixture f;
        f.create_topic({"__consumer_offsets", 1, {}, /*leader=*/2});
        group::coordinator_runtime rt(1, {}, borrow(f.replicas()));
        rt.apply_image(f.replicas().image());
        CHECK(end_txn(rt, true) == error_code::not_coordinator);
    }
}
