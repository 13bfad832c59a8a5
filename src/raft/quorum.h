// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The KRaft quorum of the `__cluster_metadata` topic, as run by a voter. Sans I/O above the
// file layer: the filesystem is injected and time comes in as `now_ms`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "log/filesystem.h"
#include "log/log.h"
#include "raft/quorum_state.h"

namespace eddy::raft {

// The metadata topic's partition directory name, and Kafka's fixed topic id for it
// (Topic.CLUSTER_METADATA_TOPIC_ID, "AAAAAAAAAAAAAAAAAAAAAQ").
inline constexpr std::string_view metadata_partition_dir = "__cluster_metadata-0";

struct quorum_options {
    int32_t node_id = 1;
    // controller.quorum.voters' ids; empty means this node alone.
    std::vector<int32_t> voters;
    // metadata.log.dir (or the first of log.dirs): holds __cluster_metadata-0/.
    std::string log_dir;
    log::log_config log_config;
};

// A batch of the metadata log that the quorum has committed: its records' values (framed
// metadata records) in order. Control batches are never delivered.
struct committed_batch {
    int64_t base_offset = 0;
    int64_t last_offset = 0;
    int32_t epoch = 0;
    int64_t append_time_ms = 0;
    std::vector<std::vector<uint8_t>> records;
};

// Receives committed batches, in log order, each exactly once per process lifetime (a
// restart delivers the whole log again: that is the replay).
class raft_listener {
public:
    virtual ~raft_listener() = default;
    virtual void handle_commit(const committed_batch& batch) = 0;
};

struct append_offsets {
    int64_t base_offset = 0;
    int64_t last_offset = 0;
};

// Lives on: one executor (the metadata service's thread); not thread-safe. Every method may
// block on file I/O. Errors are returned, never thrown.
//
// Election: a voter set of just this node elects itself at start() in the epoch after the
// larger of quorum-state's epoch and the log's last epoch, persists that in quorum-state,
// and appends a LeaderChangeMessage control batch, as Kafka's KafkaRaftClient does when it
// becomes leader. Its high watermark then covers the whole log: a single voter's majority
// is itself, so a batch is committed once it is written and flushed.
// Multi-voter quorums (Vote, BeginQuorumEpoch, Fetch between voters) are not implemented:
// start() refuses a voter set other than {node_id} with std::errc::not_supported.
// Snapshots are not written yet: the log is replayed from offset 0 at every start.
class quorum {
public:
    quorum(log::filesystem& fs, quorum_options options);

    // Opens (and recovers) the log, reads quorum-state and becomes leader as above.
    std::error_code start(int64_t now_ms);

    // Appends `records` (framed metadata records, at least one) as one batch of the current
    // epoch, flushes it and advances the high watermark past it. Only on the leader.
    log::result<append_offsets> append(std::span<const std::vector<uint8_t>> records,
                                       int64_t now_ms);

    // Delivers every committed batch not yet delivered, in order. A batch that cannot be
    // read or decoded stops delivery with log::errc::invalid_batches (last_error() says why).
    std::error_code poll(int64_t now_ms, raft_listener& listener);

    // Flushes and closes the log.
    std::error_code close();

    bool is_leader() const { return state_.leader_id == options_.node_id; }
    int32_t epoch() const { return state_.leader_epoch; }
    int32_t leader_id() const { return state_.leader_id; }
    int64_t high_watermark() const { return high_watermark_; }
    int64_t end_offset() const { return log_ ? log_->latest() : 0; }
    const election_state& election() const { return state_; }
    const std::string& partition_dir() const { return dir_; }
    const std::string& last_error() const { return last_error_; }
    // What recovery cut from a torn tail of the log at start().
    const log::recovery_report& recovery() const { return log_->last_recovery(); }

private:
    std::error_code become_leader(int64_t now_ms);
    std::error_code append_batch(std::vector<uint8_t>& batch, int64_t now_ms);
    std::error_code deliver_from(std::span<const uint8_t> bytes, raft_listener& listener);

    log::filesystem* fs_;
    quorum_options options_;
    std::string dir_;
    std::unique_ptr<log::log> log_;
    election_state state_;
    int64_t high_watermark_ = 0;
    int64_t next_delivery_ = 0;  // the first offset not yet handed to the listener
    std::string last_error_;
};

}  // namespace eddy::raft
