// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The sparse offset index of a segment (`<base>.index`): offset -> byte position.
// Format: src/log/index_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "log/sparse_index.h"

namespace eddy::log {

// One `.index` entry: 4 bytes relative offset, 4 bytes position, big-endian.
struct offset_entry {
    static constexpr size_t encoded_size = 8;
    int64_t offset;     // the last offset of the batch at `position`
    uint32_t position;  // byte position of that batch in the .log file

    static int64_t key(const offset_entry& e) { return e.offset; }
    static offset_entry before_first(int64_t base) { return {base, 0}; }
    static std::optional<offset_entry> decode(const uint8_t* raw, int64_t base);
    void encode(uint8_t* out, int64_t base) const;
    static bool follows(const offset_entry& prev, const offset_entry& next) {
        return next.offset > prev.offset && next.position > prev.position;
    }
};

// Lives on: the partition's executor.
// Kept whole in memory (8 bytes per index.interval.bytes of log); the file is appended to
// and read back only at open.
class offset_index : public sparse_index<offset_entry> {
public:
    // Opens `path` (created empty if missing) and sanity-checks its entries against the
    // segment: whole entries, offsets and positions strictly increasing, offsets >=
    // base_offset, positions < log_size. When a check fails the index opens empty with
    // corrupt() set, for the segment to rebuild it.
    static result<offset_index> open(filesystem& fs, std::string path, int64_t base_offset,
                                     size_t max_entries, uint64_t log_size);

    // Adds an entry; `offset` must exceed the last one. Staged until write().
    void append(int64_t offset, uint32_t position) { add({offset, position}); }

private:
    explicit offset_index(sparse_index&& loaded) : sparse_index(std::move(loaded)) {}
};

}  // namespace eddy::log
