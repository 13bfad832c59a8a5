// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What the offset and time indexes share: fixed-size entries kept whole in memory,
// appended to an index_file, sanity-checked at open, looked up by binary search.
// Format: src/log/index_format.md.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "log/index_file.h"

namespace eddy::log {

// Both files store offsets relative to the segment's base offset in 32 bits, of which
// only the non-negative int32 range is valid.
inline std::optional<int64_t> offset_from_relative(uint32_t relative, int64_t base) {
    if (relative > INT32_MAX) return std::nullopt;
    return base + relative;
}

// `Entry` describes one index kind (offset_entry, time_entry):
//   static constexpr size_t encoded_size;
//   int64_t offset;                               every entry names an offset
//   static int64_t key(const Entry&);             what lookup() searches by
//   static Entry before_first(int64_t base);      lookup()'s answer below the first entry
//   static std::optional<Entry> decode(const uint8_t*, int64_t base);  nullopt: invalid
//   void encode(uint8_t* out, int64_t base) const;
//   static bool follows(const Entry& prev, const Entry& next);  the order the file keeps
//
// Lives on: the partition's executor.
template <class Entry>
class sparse_index {
public:
    using entry = Entry;
    static constexpr size_t entry_size = Entry::encoded_size;

    std::error_code write() { return file_.write_staged(); }
    // The entry with the largest key <= target, or Entry::before_first(base) when none is.
    entry lookup(int64_t target) const {
        auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                                   [](int64_t t, const entry& e) { return t < Entry::key(e); });
        if (it == entries_.begin()) return Entry::before_first(base_offset_);
        return *std::prev(it);
    }
    // Drops entries whose offset >= `offset` (offsets never decrease along the index).
    std::error_code truncate_to(int64_t offset) {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                                   [](const entry& e, int64_t t) { return e.offset < t; });
        entries_.erase(it, entries_.end());
        return file_.truncate_entries(entries_.size());
    }
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

protected:
    sparse_index(index_file f, int64_t base, size_t max_entries)
        : file_(std::move(f)), base_offset_(base), max_entries_(max_entries) {}

    // Opens `path` (created empty if missing) and reads its entries. Whole entries that
    // decode, keep Entry::follows order and pass `valid` are kept; otherwise the index
    // opens empty with corrupt() set, for the segment to rebuild it.
    template <class Valid>
    static result<sparse_index> load(filesystem& fs, std::string path, int64_t base_offset,
                                     size_t max_entries, Valid valid) {
        std::vector<uint8_t> raw;
        auto f = index_file::open(fs, std::move(path), entry_size, raw);
        if (!f) return f.error();
        sparse_index index(std::move(*f), base_offset, max_entries);
        // A torn write leaves a partial entry: the whole index is then suspect.
        bool ok = raw.size() % entry_size == 0;
        for (size_t i = 0; ok && i < raw.size(); i += entry_size) {
            std::optional<entry> e = Entry::decode(&raw[i], base_offset);
            ok = e && valid(*e) &&
                 (index.entries_.empty() || Entry::follows(index.entries_.back(), *e));
            if (ok) index.entries_.push_back(*e);
        }
        if (!ok) {
            index.entries_.clear();
            index.corrupt_ = true;
        }
        return index;
    }

    // Stages `e` (written by write()) and keeps it in memory.
    void add(const entry& e) {
        uint8_t raw[entry_size];
        e.encode(raw, base_offset_);
        file_.stage(raw);
        entries_.push_back(e);
    }

    index_file file_;
    int64_t base_offset_;
    size_t max_entries_;
    std::vector<entry> entries_;
    bool corrupt_ = false;
};

}  // namespace eddy::log
