// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The sparse time index of a segment (`<base>.timeindex`): max timestamp so far -> offset.
// Format: src/log/index_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "log/sparse_index.h"

namespace eddy::log {

// One `.timeindex` entry: 8 bytes timestamp, 4 bytes relative offset, big-endian.
struct time_entry {
    static constexpr size_t encoded_size = 12;
    static constexpr int64_t no_timestamp = -1;
    int64_t timestamp;  // the largest batch max timestamp seen up to this point
    int64_t offset;     // the last offset of the batch that carried it

    static int64_t key(const time_entry& e) { return e.timestamp; }
    static time_entry before_first(int64_t base) { return {no_timestamp, base}; }
    static std::optional<time_entry> decode(const uint8_t* raw, int64_t base);
    void encode(uint8_t* out, int64_t base) const;
    static bool follows(const time_entry& prev, const time_entry& next) {
        return next.timestamp > prev.timestamp && next.offset >= prev.offset;
    }
};

// Lives on: the partition's executor. Kept whole in memory like offset_index.
class time_index : public sparse_index<time_entry> {
public:
    static constexpr int64_t no_timestamp = time_entry::no_timestamp;

    // Opens `path` (created empty if missing) and sanity-checks it: whole entries,
    // timestamps strictly increasing, offsets non-decreasing and within the segment's
    // 32-bit relative range. When a check fails the index opens empty with corrupt() set.
    static result<time_index> open(filesystem& fs, std::string path, int64_t base_offset,
                                   size_t max_entries);

    // Adds an entry when `timestamp` exceeds the last one (Kafka's maybeAppend). Staged
    // until write(). `skip_full_check` lets the final entry of a rolled segment in.
    void maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check = false);

private:
    explicit time_index(sparse_index&& loaded) : sparse_index(std::move(loaded)) {}
};

}  // namespace eddy::log
