// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The KRaft quorum of the `__cluster_metadata` topic, as run by a voter. Sans I/O above the
// file layer: the filesystem is injected and time comes in as `now_ms`.
#pragma once

#include "eddy/codec/types.h"
#include "log/filesystem.h"
#include "log/log.h"
#include "raft/quorum_state.h"
#include "raft/snapshot_reader.h"
#include "raft/snapshot_writer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eddy::raft {

// The metadata topic's partition directory name, and Kafka's fixed topic id for it
// (Topic.CLUSTER_METADATA_TOPIC_ID, "AAAAAAAAAAAAAAAAAAAAAQ").
inline constexpr std::string_view metadata_partition_dir = "__cluster_metadata-0";
inline constexpr codec::uuid metadata_topic_id{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};

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
    uint64_t size_bytes = 0;  // the whole batch in the log, headers included
    std::vector<std::vector<uint8_t>> records;
};

// Receives the state the quorum starts from, then committed batches in log order, each
// exactly once per process lifetime. A restart delivers the newest valid snapshot (when
// there is one) and then every batch after it again: that is the replay.
class raft_listener {
public:
    virtual ~raft_listener() = default;
    // The snapshot's records rebuild the state at its end offset from nothing (Kafka's
    // handleLoadSnapshot): the listener drops what it had before applying them. Comes
    // before any batch, at the first poll() after start().
    virtual void handle_snapshot(const snapshot_contents& snapshot) = 0;
    virtual void handle_commit(const committed_batch& batch) = 0;
};

// How far delivery has got: every offset below end_offset has been handed to the
// listener (or was in the snapshot it loaded). Names the snapshot of that state.
struct delivered_position {
    int64_t end_offset = 0;
    int32_t epoch = 0;            // of the batch holding end_offset - 1
    int64_t last_timestamp = -1;  // that batch's max timestamp
};

struct append_offsets {
    int64_t base_offset = 0;
    int64_t last_offset = 0;
};

// Lives on: one executor (the metadata service's thread); not thread-safe. Every method may
// block on file I/O. Errors are returned, never thrown.
//
// Election: a voter set of just this node elects itself at start() in the epoch after the
// largest of quorum-state's epoch, the log's last epoch and the loaded snapshot's epoch,
// persists that in quorum-state,
// and appends a LeaderChangeMessage control batch, as Kafka's KafkaRaftClient does when it
// becomes leader. Its high watermark then covers the whole log: a single voter's majority
// is itself, so a batch is committed once it is written and flushed.
// Multi-voter quorums (Vote, BeginQuorumEpoch, Fetch between voters) are not implemented:
// start() refuses a voter set other than {node_id} with std::errc::not_supported.
//
// Snapshots (snapshot_format.md): start() loads the newest snapshot that reads back whole
// (a damaged one is deleted and the next older one tried; with none the log is replayed
// from its start), and delivery resumes after it. The listener's owner writes snapshots of
// delivered state through create_snapshot() / finish_snapshot(); the two newest are kept,
// and log segments wholly below the older of them are deleted.
class quorum {
public:
    quorum(log::filesystem& fs, quorum_options options);

    // Opens (and recovers) the log, reads quorum-state, picks the snapshot to start from
    // (removing partial snapshot files) and becomes leader as above. Fails when no valid
    // snapshot covers the offsets below the log's start.
    std::error_code start(int64_t now_ms);

    // Appends `records` (framed metadata records, at least one) as one batch of the current
    // epoch, flushes it and advances the high watermark past it. Only on the leader.
    log::result<append_offsets> append(std::span<const std::vector<uint8_t>> records,
                                       int64_t now_ms);

    // Delivers the snapshot loaded at start() (once), then every committed batch not yet
    // delivered, in order. A batch that cannot be read or decoded stops delivery with
    // log::errc::invalid_batches (last_error() says why).
    std::error_code poll(int64_t now_ms, raft_listener& listener);

    // Kafka's createSnapshot: a writer for snapshot `id`, or nullopt when a snapshot at or
    // after id.end_offset exists already. std::errc::invalid_argument when id.end_offset
    // is 0 or above the high watermark (only committed state may be snapshotted).
    log::result<std::optional<snapshot_writer>> create_snapshot(
        snapshot_id id, int64_t last_contained_log_timestamp, int64_t now_ms);
    // Freezes `writer` (snapshot_writer::freeze), then deletes the snapshots older than
    // the two newest and the log segments wholly below the older of those two.
    std::error_code finish_snapshot(snapshot_writer& writer, int64_t now_ms);
    // The finished snapshots, oldest first.
    const std::vector<snapshot_id>& snapshots() const { return snapshots_; }
    const delivered_position& delivered() const { return delivered_; }

    // Flushes and closes the log.
    std::error_code close();

    bool is_leader() const { return state_.leader_id == options_.node_id; }
    int32_t epoch() const { return state_.leader_epoch; }
    int32_t leader_id() const { return state_.leader_id; }
    // The voters' ids: controller.quorum.voters, or this node alone when it names none.
    const std::vector<int32_t>& voters() const { return options_.voters; }
    int64_t high_watermark() const { return high_watermark_; }
    int64_t end_offset() const { return log_ ? log_->latest() : 0; }
    int64_t start_offset() const { return log_ ? log_->earliest() : 0; }
    const election_state& election() const { return state_; }
    const std::string& partition_dir() const { return dir_; }
    const std::string& last_error() const { return last_error_; }
    // What recovery cut from a torn tail of the log at start().
    const log::recovery_report& recovery() const { return log_->last_recovery(); }

private:
    std::error_code become_leader(int64_t now_ms);
    std::error_code append_batch(std::vector<uint8_t>& batch, int64_t now_ms);
    std::error_code deliver_from(std::span<const uint8_t> bytes, raft_listener& listener);
    // Picks the newest usable snapshot into loaded_snapshot_ (quorum_snapshots.cc).
    std::error_code load_snapshot(int64_t now_ms);
    std::error_code remove_old_snapshots(int64_t now_ms);

    log::filesystem* fs_;
    quorum_options options_;
    std::string dir_;
    std::unique_ptr<log::log> log_;
    election_state state_;
    int64_t high_watermark_ = 0;
    int64_t next_delivery_ = 0;  // the first offset not yet handed to the listener
    delivered_position delivered_;
    std::vector<snapshot_id> snapshots_;
    std::optional<snapshot_contents> loaded_snapshot_;  // until poll() delivers it
    std::string last_error_;
};

}  // namespace eddy::raft
