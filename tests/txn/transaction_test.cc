// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// AddPartitionsToTxn, AddOffsetsToTxn and EndTxn: the transaction's life and its errors.
#include "txn_fixture.h"

using namespace eddy;
using namespace eddy::txn;
using namespace eddy::txn::test;

TEST_CASE("txn: add partitions, commit, markers, complete") {
    fixture f;
    auto p = f.init("t");
    CHECK(f.add("t", p, {{"a", 0}, {"b", 1}}, 10) == error_code::none);
    const txn_metadata* m = f.shard.find("t");
    CHECK(m->state == txn_state::ongoing);
    CHECK(m->start_ms == 10);
    CHECK(f.add("t", p, {{"a", 1}}, 20) == error_code::none);
    CHECK(m->start_ms == 10);  // the transaction started with its first partition
    CHECK(m->partitions.size() == 3);
    CHECK(f.shard.add_offsets("t", p.producer_id, p.producer_epoch, 4, 25) == error_code::none);
    CHECK(m->partitions.contains({"__consumer_offsets", 4}));
    f.shard.take_records();

    // Partitions already in the transaction: answered without a write.
    CHECK(f.add("t", p, {{"a", 0}}, 30) == error_code::none);
    CHECK(f.shard.take_records().empty());

    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 40) == error_code::none);
    CHECK(m->state == txn_state::prepare_commit);
    auto markers = f.shard.take_markers();
    REQUIRE(markers.size() == 1);
    CHECK(markers[0].commit);
    CHECK(markers[0].producer_id == p.producer_id);
    CHECK(markers[0].producer_epoch == p.producer_epoch);
    CHECK(markers[0].partitions.size() == 4);
    CHECK(f.shard.take_records().size() == 1);

    // While the markers are written: retries wait, the other outcome is invalid.
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 41) ==
          error_code::concurrent_transactions);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 41) ==
          error_code::invalid_txn_state);
    CHECK(f.add("t", p, {{"c", 0}}, 41) == error_code::concurrent_transactions);

    REQUIRE(f.shard.markers_written(markers[0], 50));
    CHECK(m->state == txn_state::complete_commit);
    CHECK(m->partitions.empty());
    CHECK(m->last_update_ms == 50);
    // Markers reported twice change nothing.
    CHECK_FALSE(f.shard.markers_written(markers[0], 51));

    // A retried EndTxn after completion succeeds; the opposite outcome does not.
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 60) == error_code::none);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 60) ==
          error_code::invalid_txn_state);

    // The next transaction starts afresh.
    CHECK(f.add("t", p, {{"c", 0}}, 70) == error_code::none);
    CHECK(m->start_ms == 70);
}

TEST_CASE("txn: abort, and retries of the abort") {
    fixture f;
    auto p = f.init("t");
    REQUIRE(f.add("t", p, {{"a", 0}}) == error_code::none);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 1) == error_code::none);
    CHECK(state_of(f.shard, "t") == txn_state::prepare_abort);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 1) ==
          error_code::concurrent_transactions);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 1) ==
          error_code::invalid_txn_state);
    f.write_markers(2);
    CHECK(state_of(f.shard, "t") == txn_state::complete_abort);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 3) == error_code::none);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 3) ==
          error_code::invalid_txn_state);
}

TEST_CASE("txn: EndTxn with no transaction is INVALID_TXN_STATE") {
    fixture f;
    auto p = f.init("t");
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 0) ==
          error_code::invalid_txn_state);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, false, 0) ==
          error_code::invalid_txn_state);
}

TEST_CASE("txn: unknown ids, wrong producer ids and stale epochs") {
    fixture f;
    auto p = f.init("t");
    CHECK(f.add("nope", p, {{"a", 0}}) == error_code::invalid_producer_id_mapping);
    CHECK(f.add("", p, {{"a", 0}}) == error_code::invalid_request);
    CHECK(f.add("t", {p.producer_id + 1, p.producer_epoch}, {{"a", 0}}) ==
          error_code::invalid_producer_id_mapping);
    CHECK(f.add("t", {p.producer_id, static_cast<int16_t>(p.producer_epoch + 1)}, {{"a", 0}}) ==
          error_code::producer_fenced);
    CHECK(f.shard.add_offsets("t", p.producer_id + 1, p.producer_epoch, 0, 0) ==
          error_code::invalid_producer_id_mapping);
    CHECK(f.shard.end_txn("nope", p.producer_id, p.producer_epoch, true, 0) ==
          error_code::invalid_producer_id_mapping);
    CHECK(f.shard.end_txn("", p.producer_id, p.producer_epoch, true, 0) ==
          error_code::invalid_request);
    REQUIRE(f.add("t", p, {{"a", 0}}) == error_code::none);
    CHECK(f.shard.end_txn("t", p.producer_id + 1, p.producer_epoch, true, 0) ==
          error_code::invalid_producer_id_mapping);
    // A client must name the current epoch exactly, higher or lower.
    CHECK(f.shard.end_txn("t", p.producer_id, static_cast<int16_t>(p.producer_epoch + 1), true,
                          0) == error_code::producer_fenced);
    auto newer = f.shard.init_producer_id("t", 60000, std::nullopt, 0);  // fences p
    CHECK(newer.error == error_code::concurrent_transactions);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 0) ==
          error_code::producer_fenced);
}

TEST_CASE("txn: a transaction of no partitions completes without markers") {
    fixture f;
    auto p = f.init("t");
    REQUIRE(f.add("t", p, {}) == error_code::none);
    CHECK(state_of(f.shard, "t") == txn_state::ongoing);
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 1) == error_code::none);
    CHECK(state_of(f.shard, "t") == txn_state::complete_commit);
    CHECK(f.shard.take_markers().empty());
}

TEST_CASE("txn: DescribeTransactions and ListTransactions") {
    fixture f;
    auto p = f.init("t1", 0, 30000);
    f.init("t2");
    REQUIRE(f.add("t1", p, {{"b", 2}, {"a", 1}}, 100) == error_code::none);

    auto d = f.shard.describe("t1");
    CHECK(d.error == error_code::none);
    CHECK(d.state == "Ongoing");
    CHECK(d.timeout_ms == 30000);
    CHECK(d.start_ms == 100);
    CHECK(d.producer_id == p.producer_id);
    CHECK(d.producer_epoch == p.producer_epoch);
    CHECK(d.partitions == std::vector<topic_partition>{{"a", 1}, {"b", 2}});
    CHECK(f.shard.describe("t2").state == "Empty");
    CHECK(f.shard.describe("t2").start_ms == -1);
    CHECK(f.shard.describe("zz").error == error_code::transactional_id_not_found);
    CHECK(f.shard.describe("").error == error_code::invalid_request);

    auto all = f.shard.list({}, {}, -1, 200);
    REQUIRE(all.transactions.size() == 2);
    CHECK(all.transactions[0].transactional_id == "t1");
    CHECK(all.transactions[0].state == "Ongoing");

    const std::vector<std::string> ongoing = {"Ongoing", "Bogus"};
    auto by_state = f.shard.list(ongoing, {}, -1, 200);
    REQUIRE(by_state.transactions.size() == 1);
    CHECK(by_state.transactions[0].transactional_id == "t1");
    CHECK(by_state.unknown_state_filters == std::vector<std::string>{"Bogus"});

    const std::vector<std::string> bogus = {"Bogus"};
    CHECK(f.shard.list(bogus, {}, -1, 200).transactions.empty());

    const std::vector<int64_t> pids = {f.shard.find("t2")->producer_id};
    auto by_pid = f.shard.list({}, pids, -1, 200);
    REQUIRE(by_pid.transactions.size() == 1);
    CHECK(by_pid.transactions[0].transactional_id == "t2");

    // Duration filter (v1): only transactions running longer than the duration.
    auto long_running = f.shard.list(ongoing, {}, 50, 200);
    CHECK(long_running.transactions.size() == 1);
    CHECK(f.shard.list(ongoing, {}, 150, 200).transactions.empty());
}

TEST_CASE("txn: markers for another coordinator epoch or producer epoch complete nothing") {
    fixture f;
    auto p = f.init("t");
    REQUIRE(f.add("t", p, {{"a", 0}}) == error_code::none);
    REQUIRE(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 1) == error_code::none);
    auto markers = f.shard.take_markers();
    REQUIRE(markers.size() == 1);
    auto stale = markers[0];
    stale.coordinator_epoch = 6;
    CHECK_FALSE(f.shard.markers_written(stale, 2));
    stale = markers[0];
    stale.producer_epoch = 5;
    CHECK_FALSE(f.shard.markers_written(stale, 2));
    stale = markers[0];
    stale.commit = false;
    CHECK_FALSE(f.shard.markers_written(stale, 2));
    CHECK(state_of(f.shard, "t") == txn_state::prepare_commit);
    CHECK(f.shard.markers_written(markers[0], 3));
}
