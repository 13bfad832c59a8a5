// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The coordinator's periodic work with simulated time: aborting timed-out transactions and
// expiring idle transactional ids.
#include "txn_fixture.h"

using namespace eddy;
using namespace eddy::txn;
using namespace eddy::txn::test;

TEST_CASE("txn: the abort check runs every interval and aborts with a bumped epoch") {
    fixture f;  // loaded at 0: first abort check at 10000
    CHECK(f.shard.next_deadline() == 10000);
    auto p = f.init("t", 0, 15000);
    REQUIRE(f.add("t", p, {{"a", 0}}, 1000) == error_code::none);
    f.shard.take_records();

    f.shard.on_timer(10000);  // 9000 ms into a 15000 ms transaction
    CHECK(state_of(f.shard, "t") == txn_state::ongoing);
    CHECK(f.shard.take_records().empty());
    CHECK(f.shard.next_deadline() == 20000);

    f.shard.on_timer(16000);  // not due yet: nothing runs
    CHECK(state_of(f.shard, "t") == txn_state::ongoing);

    f.shard.on_timer(20000);  // 19000 ms > 15000 ms
    const txn_metadata* m = f.shard.find("t");
    CHECK(m->state == txn_state::prepare_abort);
    CHECK(m->producer_epoch == p.producer_epoch + 1);
    CHECK(f.shard.take_records().size() == 1);
    auto markers = f.shard.take_markers();
    REQUIRE(markers.size() == 1);
    CHECK_FALSE(markers[0].commit);
    CHECK(markers[0].producer_epoch == p.producer_epoch + 1);

    // The old producer is fenced from then on.
    CHECK(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 20001) ==
          error_code::producer_fenced);
    REQUIRE(f.shard.markers_written(markers[0], 20002));
    CHECK(m->state == txn_state::complete_abort);
    CHECK(f.add("t", p, {{"a", 0}}, 20003) == error_code::producer_fenced);
}

TEST_CASE("txn: a transaction exactly at its timeout is not aborted yet") {
    fixture f;
    auto p = f.init("t", 0, 10000);
    REQUIRE(f.add("t", p, {{"a", 0}}, 0) == error_code::none);
    f.shard.on_timer(10000);  // start + timeout == now: Kafka aborts only past it
    CHECK(state_of(f.shard, "t") == txn_state::ongoing);
    f.shard.on_timer(20000);
    CHECK(state_of(f.shard, "t") == txn_state::prepare_abort);
}

TEST_CASE("txn: idle transactional ids expire with a tombstone, ongoing ones do not") {
    txn_config config;
    config.transactional_id_expiration_ms = 50000;
    config.remove_expired_interval_ms = 60000;
    config.abort_timed_out_interval_ms = 1000000;
    fixture f(config);
    f.init("idle", 1000);
    auto p = f.init("busy", 1000, 900000);
    REQUIRE(f.add("busy", p, {{"a", 0}}, 2000) == error_code::none);
    f.flush();

    CHECK(f.shard.next_deadline() == 60000);
    f.shard.on_timer(60000);  // idle updated at 1000 <= 60000 - 50000
    CHECK(f.shard.find("idle") == nullptr);
    CHECK(f.shard.find("busy") != nullptr);
    auto records = f.shard.take_records();
    REQUIRE(records.size() == 1);
    CHECK_FALSE(records[0].value.has_value());
    CHECK(f.shard.describe("idle").error == error_code::transactional_id_not_found);

    // An expired id starts over with a new producer id.
    auto again = f.shard.init_producer_id("idle", 60000, std::nullopt, 61000);
    CHECK(again.producer_id == 102);
    CHECK(again.producer_epoch == 0);
}

TEST_CASE("txn: completed transactions expire from their last update") {
    txn_config config;
    config.transactional_id_expiration_ms = 50000;
    config.remove_expired_interval_ms = 10000;
    fixture f(config);
    auto p = f.init("t");
    REQUIRE(f.add("t", p, {{"a", 0}}, 0) == error_code::none);
    REQUIRE(f.shard.end_txn("t", p.producer_id, p.producer_epoch, true, 0) == error_code::none);
    f.write_markers(15000);
    f.shard.on_timer(60000);  // last update 15000 > 60000 - 50000
    CHECK(f.shard.find("t") != nullptr);
    f.shard.on_timer(70000);
    CHECK(f.shard.find("t") == nullptr);
}
