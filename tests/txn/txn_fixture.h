// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A shard with a counting producer id allocator, and helpers to replay what it wrote.
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "txn/txn_coordinator_shard.h"

namespace eddy::txn::test {

struct fixture {
    explicit fixture(txn_config config = {}) : shard(config, 7, [this] { return next_pid++; }) {
        shard.loaded(0);
    }

    // Moves the shard's records to the log, as the runtime would once they are durable.
    void flush() {
        for (auto& r : shard.take_records()) log.push_back(std::move(r));
    }

    // A shard rebuilt from everything written so far.
    txn_coordinator_shard rebuilt(txn_config config = {}) {
        flush();
        txn_coordinator_shard other(config, 7, [] { return 1000; });
        for (const auto& r : log) {
            std::optional<std::span<const uint8_t>> value;
            if (r.value) value = std::span<const uint8_t>(*r.value);
            REQUIRE(other.replay(r.key, value));
        }
        return other;
    }

    // InitProducerId without KIP-360 fields; REQUIREs success.
    producer_id_and_epoch init(const std::string& id, int64_t now = 0, int32_t timeout = 60000) {
        auto r = shard.init_producer_id(id, timeout, std::nullopt, now);
        REQUIRE(r.error == error_code::none);
        return {r.producer_id, r.producer_epoch};
    }

    error_code add(const std::string& id, producer_id_and_epoch p,
                   std::vector<topic_partition> parts, int64_t now = 0) {
        return shard.add_partitions(id, p.producer_id, p.producer_epoch, parts, now);
    }

    // Completes every queued marker request.
    void write_markers(int64_t now = 0) {
        for (const auto& m : shard.take_markers()) REQUIRE(shard.markers_written(m, now));
    }

    int64_t next_pid = 100;
    txn_coordinator_shard shard;
    std::vector<txn_record> log;
};

inline txn_state state_of(const txn_coordinator_shard& s, const std::string& id) {
    const txn_metadata* m = s.find(id);
    REQUIRE(m != nullptr);
    return m->state;
}

}  // namespace eddy::txn::test
