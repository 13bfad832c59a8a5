// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: what the data-path tests share: long polls woken on cue, transactional batches,
// markers written as the coordinator would, and reads at either isolation level.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cluster_fixture.h"
#include "eddy/error_code.h"
#include "record/control_record.h"

namespace eddy::cluster::test {

inline constexpr int8_t read_uncommitted = 0;
inline constexpr int8_t read_committed = 1;

// `records` records from producer `pid` inside its open transaction (transactional bit set).
std::vector<uint8_t> txn_batch(int64_t pid, int16_t epoch, int32_t base_sequence, int records,
                               int64_t base_timestamp = -1);
// Produces a transactional batch as a transactional producer does (acks=all, with a
// transactional id, which Kafka requires of a request carrying transactional batches);
// the partition's error code.
int16_t produce_txn(cluster_fixture& f, const std::string& topic, int32_t partition,
                    std::vector<uint8_t> batch,
                    std::optional<std::string> transactional_id = std::string("txn"));
// Appends a marker through the partition, on its strand, as WriteTxnMarkers does.
error_code write_marker(cluster_fixture& f, const std::string& topic, int32_t partition,
                        const record::txn_marker& marker);
// The marker ending `pid`'s transaction with coordinator epoch 0.
record::txn_marker marker_for(int64_t pid, int16_t epoch, bool commit, int32_t coordinator_epoch = 0);
// A one-partition Fetch (v12) from `offset` at `isolation`, without waiting.
msg::fetch_request fetch_request_for(const std::string& topic, int64_t offset, int8_t isolation);
fetched fetch_at(cluster_fixture& f, const std::string& topic, int64_t offset, int8_t isolation);
// Runs `req` (a long poll on partition 0 of `topic`) until it is parked there, then runs
// `wake` on another thread and waits for the fetch to answer. nullopt when the fetch
// answered before it parked (`wake` is not run then).
std::optional<broker::fetch_result> fetch_woken_by(cluster_fixture& f, const std::string& topic,
                                                   msg::fetch_request req,
                                                   const std::function<void()>& wake);
// ListOffsets (v9) of one partition at `isolation`: {offset, timestamp}.
std::pair<int64_t, int64_t> list_offset_at(cluster_fixture& f, const std::string& topic,
                                           int64_t timestamp, int8_t isolation);
// Base offsets of the batches a fetch returned, control batches included.
std::vector<int64_t> base_offsets(const fetched& r);

}  // namespace eddy::cluster::test
