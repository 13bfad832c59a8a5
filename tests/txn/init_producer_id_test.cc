// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// InitProducerId with a transactional id: new ids, epoch bumps, fencing, KIP-360.
#include "txn_fixture.h"

using namespace eddy;
using namespace eddy::txn;
using namespace eddy::txn::test;

TEST_CASE("txn: InitProducerId gives a new id epoch 0, then bumps the epoch") {
    fixture f;
    auto first = f.init("t", 10);
    CHECK(first.producer_id == 100);
    CHECK(first.producer_epoch == 0);
    auto second = f.init("t", 20);
    CHECK(second.producer_id == 100);
    CHECK(second.producer_epoch == 1);
    CHECK(state_of(f.shard, "t") == txn_state::empty);
    CHECK(f.shard.take_records().size() == 2);
}

TEST_CASE("txn: InitProducerId rejects empty ids and timeouts outside (0, max]") {
    txn_config config;
    config.transaction_max_timeout_ms = 5000;
    fixture f(config);
    CHECK(f.shard.init_producer_id("", 1000, std::nullopt, 0).error == error_code::invalid_request);
    auto r = f.shard.init_producer_id("t", 5001, std::nullopt, 0);
    CHECK(r.error == error_code::invalid_transaction_timeout);
    CHECK(r.producer_id == -1);
    CHECK(r.producer_epoch == -1);
    CHECK(f.shard.init_producer_id("t", 0, std::nullopt, 0).error ==
          error_code::invalid_transaction_timeout);
    CHECK(f.shard.init_producer_id("t", 5000, std::nullopt, 0).error == error_code::none);
}

TEST_CASE("txn: InitProducerId during an ongoing transaction fences it and asks for a retry") {
    fixture f;
    auto p = f.init("t");
    REQUIRE(f.add("t", p, {{"a", 0}}) == error_code::none);
    auto r = f.shard.init_producer_id("t", 60000, std::nullopt, 5);
    CHECK(r.error == error_code::concurrent_transactions);
    const txn_metadata* m = f.shard.find("t");
    CHECK(m->state == txn_state::prepare_abort);
    CHECK(m->producer_epoch == 1);  // bumped, never handed out

    auto markers = f.shard.take_markers();
    REQUIRE(markers.size() == 1);
    CHECK_FALSE(markers[0].commit);
    CHECK(markers[0].producer_epoch == 1);
    CHECK(markers[0].coordinator_epoch == 7);
    CHECK(markers[0].partitions == std::vector<topic_partition>{{"a", 0}});

    // Still completing: the retry waits.
    CHECK(f.shard.init_producer_id("t", 60000, std::nullopt, 6).error ==
          error_code::concurrent_transactions);
    REQUIRE(f.shard.markers_written(markers[0], 7));
    CHECK(state_of(f.shard, "t") == txn_state::complete_abort);
    auto again = f.init("t", 8);
    CHECK(again.producer_id == p.producer_id);
    CHECK(again.producer_epoch == 2);  // bumped a second time
    // The old producer is fenced.
    CHECK(f.add("t", p, {{"a", 1}}) == error_code::producer_fenced);
}

TEST_CASE("txn: an exhausted epoch rotates the producer id") {
    fixture f;
    auto p = f.init("t");
    // Bump up to the last epoch a client may hold.
    for (int i = 0; i < max_client_epoch; ++i) f.init("t");
    CHECK(f.shard.find("t")->producer_epoch == max_client_epoch);
    auto next = f.init("t");
    CHECK(next.producer_id == p.producer_id + 1);
    CHECK(next.producer_epoch == 0);
}

TEST_CASE("txn: fencing at the last epoch leads to a new producer id on retry") {
    fixture f;
    auto p = f.init("t");
    for (int i = 0; i < max_client_epoch; ++i) p = f.init("t");
    REQUIRE(f.add("t", p, {{"a", 0}}) == error_code::none);
    CHECK(f.shard.init_producer_id("t", 60000, std::nullopt, 0).error ==
          error_code::concurrent_transactions);
    CHECK(f.shard.find("t")->producer_epoch == 32767);
    f.write_markers();
    auto next = f.init("t");
    CHECK(next.producer_id != p.producer_id);
    CHECK(next.producer_epoch == 0);
}

TEST_CASE("txn: KIP-360 InitProducerId with the current id and epoch bumps it") {
    fixture f;
    auto p = f.init("t");
    auto r = f.shard.init_producer_id("t", 60000, p, 1);
    REQUIRE(r.error == error_code::none);
    CHECK(r.producer_id == p.producer_id);
    CHECK(r.producer_epoch == 1);
    // A retry of that call (same expected epoch, now the last epoch) answers the same.
    auto retry = f.shard.init_producer_id("t", 60000, p, 2);
    REQUIRE(retry.error == error_code::none);
    CHECK(retry.producer_epoch == 1);
    // An epoch that is neither current nor last is fenced.
    auto stale = f.shard.init_producer_id("t", 60000, producer_id_and_epoch{p.producer_id, 7}, 3);
    CHECK(stale.error == error_code::producer_fenced);
    // Another producer id is fenced.
    auto other = f.shard.init_producer_id("t", 60000, producer_id_and_epoch{555, 0}, 3);
    CHECK(other.error == error_code::producer_fenced);
}

TEST_CASE("txn: KIP-360 on an unknown id hands out the new producer id") {
    fixture f;
    // A producer recovering from UNKNOWN_PRODUCER_ID whose metadata expired.
    auto r = f.shard.init_producer_id("t", 60000, producer_id_and_epoch{42, 3}, 0);
    REQUIRE(r.error == error_code::none);
    CHECK(r.producer_id == 100);
    CHECK(r.producer_epoch == 0);
}

TEST_CASE("txn: KIP-360 with an exhausted epoch rotates and a retry is recognised") {
    fixture f;
    auto p = f.init("t");
    for (int i = 0; i < max_client_epoch; ++i) p = f.init("t");
    auto r = f.shard.init_producer_id("t", 60000, p, 0);
    REQUIRE(r.error == error_code::none);
    CHECK(r.producer_id == p.producer_id + 1);
    CHECK(r.producer_epoch == 0);
    // The retry names the old id with its exhausted epoch: not fenced, same answer.
    auto retry = f.shard.init_producer_id("t", 60000, p, 0);
    REQUIRE(retry.error == error_code::none);
    CHECK(retry.producer_id == r.producer_id);
    CHECK(retry.producer_epoch == 0);
}

TEST_CASE("txn: PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH for old request versions") {
    CHECK(client_error(22, 3, error_code::producer_fenced) == error_code::invalid_producer_epoch);
    CHECK(client_error(22, 4, error_code::producer_fenced) == error_code::producer_fenced);
    CHECK(client_error(24, 1, error_code::producer_fenced) == error_code::invalid_producer_epoch);
    CHECK(client_error(24, 2, error_code::producer_fenced) == error_code::producer_fenced);
    CHECK(client_error(25, 1, error_code::producer_fenced) == error_code::invalid_producer_epoch);
    CHECK(client_error(26, 1, error_code::producer_fenced) == error_code::invalid_producer_epoch);
    CHECK(client_error(26, 3, error_code::producer_fenced) == error_code::producer_fenced);
    CHECK(client_error(28, 2, error_code::producer_fenced) == error_code::invalid_producer_epoch);
    CHECK(client_error(26, 0, error_code::concurrent_transactions) ==
          error_code::concurrent_transactions);
}
