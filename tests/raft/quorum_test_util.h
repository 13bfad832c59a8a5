// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: a listener that records what the quorum delivers, and small record values.
#pragma once

#include "raft/quorum.h"

#include <initializer_list>
#include <optional>
#include <vector>

namespace eddy::raft::test {

struct recording_listener : raft_listener {
    std::optional<snapshot_contents> snapshot;
    std::vector<committed_batch> batches;

    void handle_snapshot(const snapshot_contents& s) override { snapshot = s; }
    void handle_commit(const committed_batch& b) override { batches.push_back(b); }

    std::vector<std::vector<uint8_t>> all_records() const {
        std::vector<std::vector<uint8_t>> out;
        for (const auto& b : batches) out.insert(out.end(), b.records.begin(), b.records.end());
        return out;
    }
};

inline quorum_options options() {
    quorum_options o;
    o.node_id = 1;
    o.voters = {1};
    o.log_dir = "/meta";
    return o;
}

inline constexpr const char* partition_dir = "/meta/__cluster_metadata-0";

// One three-byte record value per element, starting with it.
inline std::vector<std::vector<uint8_t>> values(std::initializer_list<uint8_t> firsts) {
    std::vector<std::vector<uint8_t>> out;
    for (uint8_t f : firsts) out.push_back({f, 0xaa, 0xbb});
    return out;
}

}  // namespace eddy::raft::test
