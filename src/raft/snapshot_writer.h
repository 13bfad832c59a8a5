// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Writes one snapshot file of the metadata log, as Kafka's RecordsSnapshotWriter over a
// FileRawSnapshotWriter does. Format: snapshot_format.md.
#pragma once

#include "log/filesystem.h"
#include "raft/snapshot_path.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace eddy::raft {

// KafkaRaftClient.MAX_BATCH_SIZE_BYTES: the most record bytes one data batch of a snapshot
// holds (a single larger record still gets a batch of its own).
inline constexpr size_t snapshot_max_batch_bytes = size_t{8} << 20;

// The file is written as `<id>.checkpoint.part`: a control batch with the
// SnapshotHeaderRecord, data batches of the appended records, and at freeze() a control
// batch with the SnapshotFooterRecord; then fsync, rename to `<id>.checkpoint` and a
// directory fsync, so the finished name never holds a partial file. Batches are numbered
// from offset 0 and carry the snapshot's epoch as their leader epoch.
// A writer destroyed before freeze() removes its partial file.
// Lives on: the thread that writes the snapshot; not shared.
class snapshot_writer {
public:
    // Creates the partial file (replacing a leftover of the same name) and writes the
    // header batch with `last_contained_log_timestamp`.
    static log::result<snapshot_writer> create(log::filesystem& fs, std::string dir, snapshot_id id,
                                               int64_t last_contained_log_timestamp, int64_t now_ms,
                                               size_t max_batch_bytes = snapshot_max_batch_bytes);

    snapshot_writer(snapshot_writer&& other) noexcept;
    snapshot_writer& operator=(snapshot_writer&&) = delete;
    snapshot_writer(const snapshot_writer&) = delete;
    ~snapshot_writer();

    // Adds records (framed metadata records) in order; a data batch is written whenever
    // the next record would take the pending one past the batch size.
    std::error_code append(std::span<const std::vector<uint8_t>> records, int64_t now_ms);
    // Writes what is pending and the footer, syncs and publishes the file under its final
    // name. Returns the file's size. The writer is done afterwards, whatever the outcome.
    log::result<uint64_t> freeze(int64_t now_ms);

    snapshot_id id() const { return id_; }
    bool frozen() const { return frozen_; }

private:
    snapshot_writer(log::filesystem& fs, std::string dir, snapshot_id id, size_t max_batch_bytes);
    std::error_code write_batch(std::vector<uint8_t> batch);
    std::error_code flush_pending(int64_t now_ms);
    // freeze() up to the rename; the caller discards the file on failure.
    log::result<uint64_t> finish(int64_t now_ms);
    void discard();

    log::filesystem* fs_;
    std::string dir_;
    snapshot_id id_;
    size_t max_batch_bytes_;
    std::shared_ptr<log::file> file_;
    std::vector<std::vector<uint8_t>> pending_;
    size_t pending_bytes_ = 0;
    int64_t next_offset_ = 0;  // offset of the next record in the file
    bool frozen_ = false;
};

}  // namespace eddy::raft
