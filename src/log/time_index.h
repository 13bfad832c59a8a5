// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The sparse time index of a segment (`<base>.timeindex`): max timestamp so far -> offset.
// Format: src/log/index_format.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "log/index_file.h"

namespace eddy::log {

// Lives on: the partition's executor. Kept whole in memory like offset_index.
class time_index {
public:
    static constexpr size_t entry_size = 12;
    static constexpr int64_t no_timestamp = -1;
    struct entry {
        int64_t timestamp;  // the largest batch max timestamp seen up to this point
        int64_t offset;     // the last offset of the batch that carried it
    };

    // Opens `path` (created empty if missing) and sanity-checks it: whole entries,
    // timestamps strictly increasing, offsets non-decreasing and within the segment's
    // 32-bit relative range. When a check fails the index opens empty with corrupt() set.
    static result<time_index> open(filesystem& fs, std::string path, int64_t base_offset,
                                   size_t max_entries);

    // Adds an entry when `timestamp` exceeds the last one (Kafka's maybeAppend). Staged
    // until write(). `skip_full_check` lets the final entry of a rolled segment in.
    void maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check = false);
    std::error_code write() { return file_.write_staged(); }
    // The entry with the largest timestamp <= target, or {no_timestamp, base_offset}.
    entry lookup(int64_t target) const;
    // Drops entries whose offset >= `offset`.
    std::error_code truncate_to(int64_t offset);
    std::error_code reset() {
        entries_.clear();
        corrupt_ = false;
        return file_.truncate_entries(0);
    }
    std::error_code sync() { return file_.sync(); }

    bool corrupt() const { return corrupt_; }
    bool full() const { return entries_.size() >= max_entries_; }
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    const entry& last() const { return entries_.back(); }
    const std::string& path() const { return file_.path(); }

private:
    time_index(index_file f, int64_t base, size_t max_entries)
        : file_(std::move(f)), base_offset_(base), max_entries_(max_entries) {}

    index_file file_;
    int64_t base_offset_;
    size_t max_entries_;
    std::vector<entry> entries_;
    bool corrupt_ = false;
};

}  // namespace eddy::log
