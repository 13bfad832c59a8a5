// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A shard rebuilt from the records answers as the one that wrote them.
#include "txn_fixture.h"

using namespace eddy;
using namespace eddy::txn;
using namespace eddy::txn::test;

namespace {

void check_same(const txn_coordinator_shard& a, const txn_coordinator_shard& b,
                std::initializer_list<std::string> ids) {
    CHECK(a.size() == b.size());
    for (const auto& id : ids) {
        const txn_metadata* x = a.find(id);
        const txn_metadata* y = b.find(id);
        REQUIRE((x == nullptr) == (y == nullptr));
        if (x) CHECK(x->same_durable_state(*y));
    }
}

}  // namespace

TEST_CASE("txn: replay rebuilds every state the writer went through") {
    fixture f;
    auto p1 = f.init("committed", 1);
    REQUIRE(f.add("committed", p1, {{"a", 0}, {"a", 3}}, 2) == error_code::none);
    REQUIRE(f.shard.end_txn("committed", p1.producer_id, p1.producer_epoch, true, 3) ==
            error_code::none);
    f.write_markers(4);

    auto p2 = f.init("preparing", 5);
    REQUIRE(f.add("preparing", p2, {{"b", 1}}, 6) == error_code::none);
    REQUIRE(f.shard.end_txn("preparing", p2.producer_id, p2.producer_epoch, false, 7) ==
            error_code::none);
    f.shard.take_markers();

    auto p3 = f.init("ongoing", 8);
    REQUIRE(f.shard.add_offsets("ongoing", p3.producer_id, p3.producer_epoch, 9, 9) ==
            error_code::none);
    f.init("empty", 10);

    auto rebuilt = f.rebuilt();
    check_same(f.shard, rebuilt, {"committed", "preparing", "ongoing", "empty"});

    // Loading queues the markers of the transaction left in PrepareAbort.
    rebuilt.loaded(100);
    auto markers = rebuilt.take_markers();
    REQUIRE(markers.size() == 1);
    CHECK(markers[0].transactional_id == "preparing");
    CHECK_FALSE(markers[0].commit);
    CHECK(markers[0].partitions == std::vector<topic_partition>{{"b", 1}});

    // Both answer the same to the same calls.
    for (auto* s : {&f.shard, &rebuilt}) {
        CHECK(s->end_txn("committed", p1.producer_id, p1.producer_epoch, true, 200) ==
              error_code::none);
        CHECK(s->end_txn("preparing", p2.producer_id, p2.producer_epoch, false, 200) ==
              error_code::concurrent_transactions);
        CHECK(s->add_partitions("ongoing", p3.producer_id, p3.producer_epoch,
                                std::vector<topic_partition>{{"c", 0}}, 200) == error_code::none);
        auto r = s->init_producer_id("empty", 60000, std::nullopt, 200);
        CHECK(r.error == error_code::none);
        CHECK(r.producer_epoch == 1);
    }
    CHECK(f.shard.describe("ongoing").partitions == rebuilt.describe("ongoing").partitions);
    CHECK(f.shard.take_records().size() == rebuilt.take_records().size());
}

TEST_CASE("txn: replay of timeout aborts and expiry tombstones") {
    txn_config config;
    config.transactional_id_expiration_ms = 1000;
    config.remove_expired_interval_ms = 5000;
    config.abort_timed_out_interval_ms = 5000;
    fixture f(config);
    auto p = f.init("slow", 0, 2000);
    REQUIRE(f.add("slow", p, {{"a", 0}}, 0) == error_code::none);
    f.init("gone", 0);
    f.shard.on_timer(5000);  // aborts "slow", expires "gone"
    CHECK(f.shard.find("gone") == nullptr);
    auto rebuilt = f.rebuilt(config);
    check_same(f.shard, rebuilt, {"slow", "gone"});
    CHECK(rebuilt.find("slow")->producer_epoch == p.producer_epoch + 1);
    CHECK(rebuilt.find("slow")->state == txn_state::prepare_abort);
}

TEST_CASE("txn: replay rejects records that do not parse and keeps its state") {
    fixture f;
    f.init("t");
    auto rebuilt = f.rebuilt();
    const std::vector<uint8_t> key = {0, 0, 0, 1, 't'};
    const std::vector<uint8_t> bad = {0, 0, 1};
    CHECK_FALSE(rebuilt.replay(key, std::span<const uint8_t>(bad)));
    CHECK(rebuilt.find("t") != nullptr);
}

TEST_CASE("txn: a shard writing TransactionLogValue v1 is replayed the same") {
    txn_config config;
    config.value_version = 1;
    fixture f(config);
    auto p = f.init("t", 1);
    REQUIRE(f.add("t", p, {{"a", 0}}, 2) == error_code::none);
    f.flush();
    for (const auto& r : f.log) CHECK((*r.value)[1] == 1);
    auto rebuilt = f.rebuilt(config);
    check_same(f.shard, rebuilt, {"t"});
}
