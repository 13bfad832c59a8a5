// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The partition's leader epoch history: (epoch, first offset written in it), persisted to
// `leader-epoch-checkpoint` (src/log/checkpoint_format.md). Answers OffsetForLeaderEpoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "log/checkpoint.h"
#include "log/filesystem.h"

namespace eddy::log {

// Lives on: the partition's executor (owned by its log).
// Entries are kept with epochs and start offsets both strictly increasing, as Kafka's
// LeaderEpochFileCache keeps them. Every change rewrites the checkpoint file.
class leader_epoch_cache {
public:
    static constexpr int32_t undefined_epoch = -1;
    static constexpr int64_t undefined_offset = -1;

    // Loads the checkpoint in `partition_dir` (empty when the file is missing).
    static result<leader_epoch_cache> load(filesystem& fs, std::string partition_dir);

    // Records that `epoch` starts at `start_offset`. Ignored when it equals the latest
    // epoch at a later or equal offset; otherwise entries with epoch >= `epoch` or start
    // offset >= `start_offset` are dropped first (Kafka's assign).
    std::error_code assign(int32_t epoch, int64_t start_offset);
    // Drops entries starting at or after `end_offset` (log truncated to it).
    std::error_code truncate_from_end(int64_t end_offset);
    // Drops entries wholly before `start_offset`; the last of them is kept, moved up to
    // start at `start_offset` (log start offset advanced).
    std::error_code truncate_from_start(int64_t start_offset);
    // Removes every entry.
    std::error_code clear();

    // OffsetForLeaderEpoch: {epoch, end offset} for `requested`, as Kafka's endOffsetFor:
    // the latest epoch ends at `log_end_offset`; an older one ends where the next higher
    // known epoch starts (reported with the largest known epoch <= requested, or the
    // requested one when none is smaller); unknown and undefined give {-1, -1}.
    std::pair<int32_t, int64_t> end_offset_for(int32_t requested, int64_t log_end_offset) const;

    std::optional<int32_t> latest_epoch() const;
    const std::vector<epoch_entry>& entries() const { return entries_; }

private:
    leader_epoch_cache(filesystem& fs, std::string dir, std::vector<epoch_entry> entries)
        : fs_(&fs), dir_(std::move(dir)), entries_(std::move(entries)) {}
    std::error_code persist() { return write_leader_epoch_checkpoint(*fs_, dir_, entries_); }

    filesystem* fs_;
    std::string dir_;
    std::vector<epoch_entry> entries_;
};

}  // namespace eddy::log
