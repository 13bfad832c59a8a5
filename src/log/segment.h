// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One segment of a partition log: `<base>.log` plus its sparse `.index` and `.timeindex`
// and its aborted-transaction index `.txnindex`.
// Formats: src/log/segment_format.md, src/log/index_format.md, src/log/txn_index_format.md.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "log/filesystem.h"
#include "log/offset_index.h"
#include "log/time_index.h"
#include "log/txn_index.h"
#include "record/batch.h"

namespace eddy::log {

struct segment_options {
    uint32_t index_interval_bytes = 4096;  // index.interval.bytes
    uint32_t max_index_bytes = 10485760;   // segment.index.bytes
    // This segment's share of segment.jitter.ms, drawn when it is created or opened: it
    // rolls on age once segment.ms minus this has passed (Kafka's rollJitterMs).
    int64_t roll_jitter_ms = 0;
    // Disk blocks reserved when the segment is created (preallocate: segment.bytes).
    uint64_t preallocate_bytes = 0;
    // segment.bytes when the segment was made: blocks reserved ahead stop there, since the
    // segment rolls before it passes them (unless one append is larger).
    uint64_t max_bytes = UINT64_MAX;
};

// Where one batch sits in a segment, from its header.
struct batch_location {
    uint64_t position = 0;
    uint32_t size = 0;  // log_overhead + batchLength
    int64_t base_offset = 0;
    int64_t last_offset = 0;
    int64_t max_timestamp = 0;
};

// What should_roll() weighs (Kafka's RollParams).
struct roll_params {
    uint64_t segment_bytes;
    int64_t segment_ms;
    int64_t now_ms;
    uint64_t append_bytes;
    int64_t append_max_timestamp;
    int64_t append_last_offset;
};

// Lives on: the partition's executor. Blocking file I/O in every method.
// Invariants: bytes [0, size()) are whole batches with offsets in [base_offset(),
// next_offset()); the indexes only point into them.
class segment {
public:
    // A new empty segment; any files already at that base offset are emptied. A
    // `name_suffix` (cleaned_suffix) follows every file name: the log cleaner builds a
    // segment's replacement beside it under those names (log_clean.cc).
    static result<std::unique_ptr<segment>> create(filesystem& fs, const std::string& dir,
                                                   int64_t base_offset, const segment_options& opts,
                                                   int64_t now_ms, std::string_view name_suffix = {});
    // An existing segment. `needs_recovery` is set when an index (.txnindex included) is
    // missing or fails its sanity check or the tail after the last index entry does not parse; the caller must
    // then recover() before using it.
    static result<std::unique_ptr<segment>> open(filesystem& fs, const std::string& dir,
                                                 int64_t base_offset, const segment_options& opts,
                                                 int64_t now_ms, bool& needs_recovery,
                                                 std::string_view name_suffix = {});

    // Validates every batch (framing, magic, CRC-32C, offsets increasing from
    // `min_offset` and inside the 32-bit relative range), truncates the file at the first
    // invalid or incomplete one and rebuilds both indexes. `on_batch` sees each valid
    // batch header. The aborted-transaction index is emptied: only the log, which knows
    // the transactions open before this segment, can refill it (txns()).
    // Returns the bytes truncated; `reason` says why, when any were.
    result<uint64_t> recover(int64_t min_offset,
                             const std::function<void(const record::batch_view&)>& on_batch,
                             std::string& reason);

    // Appends whole batches whose offsets are already assigned and start at
    // next_offset(); adds sparse index entries. On a failed write the segment is
    // truncated back to where it was; when even that fails broken() turns true and the
    // segment must not be appended to again (its file may end in a partial batch).
    std::error_code append(std::span<const uint8_t> batches);

    // The first batch at or after `start_position` whose last offset >= `offset`.
    result<std::optional<batch_location>> find_batch(int64_t offset,
                                                     uint64_t start_position = 0) const;
    // The first batch whose max timestamp >= `timestamp` and last offset >= `min_offset`.
    result<std::optional<batch_location>> find_by_timestamp(int64_t timestamp,
                                                            int64_t min_offset) const;

    // Removes the batch containing `offset` and everything after it, and the aborted
    // transactions whose marker went with them; returns bytes removed.
    result<uint64_t> truncate_to(int64_t offset);

    // Kafka writes the segment's max timestamp as a final time index entry when the
    // segment stops being the active one (roll, close). Also releases the disk blocks the
    // segment reserved ahead of its end.
    std::error_code on_become_inactive();
    // Releases whatever disk blocks the file holds beyond its end, also ones reserved
    // before a crash, which this segment cannot know about.
    std::error_code release_reserved_blocks();
    // fsync of the log and the three indexes.
    std::error_code sync();
    // Deletes the four files (open handles stay readable).
    std::error_code remove_files();
    // The paths of the four files (.log last), which exist or not.
    std::array<std::string, 4> file_paths() const {
        return {offset_index_.path(), time_index_.path(), txn_index_.path(), log_path_};
    }
    // Renames the segment's files that exist to <name>.deleted, as Kafka's
    // LogSegment.changeFileSuffixes does before a delayed delete; appends the new paths
    // to `renamed`. Open handles stay readable.
    std::error_code rename_files_deleted(std::vector<std::string>& renamed);

    bool should_roll(const roll_params& p) const;
    int64_t roll_jitter_ms() const { return opts_.roll_jitter_ms; }
    // index.interval.bytes changed: the next index entry follows the new spacing. (The
    // index's capacity, segment.index.bytes, stays as the segment was created with.)
    void set_index_interval_bytes(uint32_t bytes) { opts_.index_interval_bytes = bytes; }

    int64_t base_offset() const { return base_offset_; }
    int64_t next_offset() const { return next_offset_; }
    uint64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    bool broken() const { return broken_; }
    int64_t max_timestamp() const { return max_timestamp_; }
    int64_t created_ms() const { return created_ms_; }
    // The log file's modification time, or created_ms() when the file cannot tell.
    int64_t last_modified_ms() const;
    int64_t offset_of_max_timestamp() const { return offset_of_max_timestamp_; }
    const std::shared_ptr<file>& log_file() const { return log_; }
    const std::string& log_path() const { return log_path_; }
    const offset_index& offsets() const { return offset_index_; }
    const time_index& times() const { return time_index_; }
    // The transactions aborted by markers in this segment; the log appends to it.
    const txn_index& txns() const { return txn_index_; }
    txn_index& txns() { return txn_index_; }

private:
    segment(filesystem& fs, std::string log_path, std::shared_ptr<file> log, offset_index oi,
            time_index ti, txn_index xi, int64_t base_offset, const segment_options& opts,
            int64_t now_ms);

    // Scans headers from the last offset index entry to the end of the file to learn
    // next_offset and the max timestamp; errc::invalid_batches when they do not parse.
    std::error_code load_tail();
    // Updates in-memory state and stages index entries for a batch at `position`.
    void note_batch(const record::batch_view& header, uint64_t position);
    result<std::optional<batch_location>> read_location(uint64_t position) const;
    std::error_code write_indexes();

    filesystem* fs_;
    std::string log_path_;
    std::shared_ptr<file> log_;
    offset_index offset_index_;
    time_index time_index_;
    txn_index txn_index_;
    int64_t base_offset_;
    segment_options opts_;
    uint64_t size_ = 0;
    int64_t next_offset_;
    int64_t max_timestamp_ = time_index::no_timestamp;
    int64_t offset_of_max_timestamp_;
    uint64_t bytes_since_last_index_entry_ = 0;
    // The first batch's max timestamp (Kafka's rollingBasedTimestamp), -1 when unknown.
    int64_t rolling_timestamp_ = time_index::no_timestamp;
    int64_t created_ms_;
    // Disk blocks are reserved up to here (file::reserve); nothing beyond size_ when <= size_.
    uint64_t reserved_end_ = 0;
    bool broken_ = false;
};

}  // namespace eddy::log
