// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The sparse offset index of a segment (`<base>.index`): offset -> byte position.
// Format: src/log/index_format.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "log/index_file.h"

namespace eddy::log {

// Lives on: the partition's executor.
// Kept whole in memory (8 bytes per index.interval.bytes of log); the file is appended to
// and read back only at open.
class offset_index {
public:
    static constexpr size_t entry_size = 8;
    struct entry {
        int64_t offset;     // the last offset of the batch at `position`
        uint32_t position;  // byte position of that batch in the .log file
    };

    // Opens `path` (created empty if missing) and sanity-checks its entries against the
    // segment: whole entries, offsets and positions strictly increasing, offsets >=
    // base_offset, positions < log_size. When a check fails the index opens empty with
    // corrupt() set, for the segment to rebuild it.
    static result<offset_index> open(filesystem& fs, std::string path, int64_t base_offset,
                                     size_t max_entries, uint64_t log_size);

    // Adds an entry; `offset` must exceed the last one. Staged until write().
    void append(int64_t offset, uint32_t position);
    std::error_code write() { return file_.write_staged(); }
    // The entry with the largest offset <= target, or {base_offset, 0} when none is.
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
    offset_index(index_file f, int64_t base, size_t max_entries)
        : file_(std::move(f)), base_offset_(base), max_entries_(max_entries) {}

    index_file file_;
    int64_t base_offset_;
    size_t max_entries_;
    std::vector<entry> entries_;
    bool corrupt_ = false;
};

}  // namespace eddy::log
