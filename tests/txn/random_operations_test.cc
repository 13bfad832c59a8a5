// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The transaction coordinator's shard driven by a random run of operations: InitProducerId,
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, written markers and time passing, for three
// transactional ids, with the producer id, epoch and timeout of a call now and then
// replaced by an edge value (0, -1, INT32_MAX, INT64_MIN, ...). The shard must survive every
// call, and a shard rebuilt from its records must describe each id as the writer does
// (the class's promise: replies wait for those records, and a reload is their replay).
#include <doctest/doctest.h>

#include <array>
#include <random>

#include "txn_fixture.h"

namespace eddy::txn::test {
namespace {

constexpr int rounds = 6000;

TEST_CASE("random operations with edge values leave a log that rebuilds the same transactions") {
    fixture f;
    std::mt19937 rng(60);
    auto pick = [&](size_t n) { return static_cast<uint32_t>(rng() % n); };
    const std::array<std::string, 3> ids{"a", "b", "c"};
    constexpr std::array<int64_t, 7> edges{0, 1, -1, INT16_MAX, INT32_MAX, INT64_MAX, INT64_MIN};
    std::map<std::string, producer_id_and_epoch> granted;
    int64_t now = 0;
    for (int round = 0; round < rounds; ++round) {
        CAPTURE(round);
        const std::string& id = ids[pick(ids.size())];
        producer_id_and_epoch p = granted[id];
        if (pick(4) == 0) p.producer_id = edges[pick(edges.size())];
        if (pick(4) == 0) p.producer_epoch = static_cast<int16_t>(edges[pick(edges.size())]);
        switch (pick(6)) {
        case 0: {
            const auto timeout = pick(4) == 0 ? static_cast<int32_t>(edges[pick(edges.size())]) : 60000;
            std::optional<producer_id_and_epoch> expected;
            if (pick(3) == 0) expected = p;
            auto r = f.shard.init_producer_id(id, timeout, expected, now);
            if (r.error == error_code::none) granted[id] = {r.producer_id, r.producer_epoch};
            break;
        }
        case 1: {
            const std::vector<topic_partition> parts{{"t", static_cast<int32_t>(pick(3))},
                                                     {"u", pick(4) == 0 ? -1 : 0}};
            (void)f.add(id, p, parts, now);
            break;
        }
        case 2:
            (void)f.shard.add_offsets(id, p.producer_id, p.producer_epoch, static_cast<int32_t>(pick(50)), now);
            break;
        case 3:
            (void)f.shard.end_txn(id, p.producer_id, p.producer_epoch, pick(2) == 0, now);
            break;
        case 4:
            for (const auto& m : f.shard.take_markers()) (void)f.shard.markers_written(m, now);
            break;
        default:
            now += pick(8) == 0 ? 8 * 3'600'000 : pick(30'000);
            while (auto deadline = f.shard.next_deadline()) {
                if (*deadline > now) break;
                f.shard.on_timer(*deadline);
            }
            break;
        }
    }
    txn_coordinator_shard rebuilt = f.rebuilt();
    for (const std::string& id : ids) {
        CAPTURE(id);
        const described_txn before = f.shard.describe(id);
        const described_txn after = rebuilt.describe(id);
        CHECK(after.error == before.error);
        CHECK(after.state == before.state);
        CHECK(after.timeout_ms == before.timeout_ms);
        CHECK(after.start_ms == before.start_ms);
        CHECK(after.producer_id == before.producer_id);
        CHECK(after.producer_epoch == before.producer_epoch);
        CHECK(after.partitions == before.partitions);
    }
}

}  // namespace
}  // namespace eddy::txn::test
