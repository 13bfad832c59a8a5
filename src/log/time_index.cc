// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/time_index.h"

#include <algorithm>
#include <climits>

#include "log/errc.h"
#include "record/endian.h"

namespace eddy::log {

result<time_index> time_index::open(filesystem& fs, std::string path, int64_t base_offset,
                                    size_t max_entries) {
    std::vector<uint8_t> raw;
    auto f = index_file::open(fs, std::move(path), entry_size, raw);
    if (!f) return f.error();
    time_index index(std::move(*f), base_offset, max_entries);
    if (raw.size() % entry_size != 0) {
        index.corrupt_ = true;
        return index;
    }
    for (size_t i = 0; i < raw.size(); i += entry_size) {
        const auto timestamp = static_cast<int64_t>(record::be::load64(&raw[i]));
        const uint32_t relative = record::be::load32(&raw[i + 8]);
        const int64_t offset = base_offset + relative;
        const auto& entries = index.entries_;
        const bool ordered = entries.empty() || (timestamp > entries.back().timestamp &&
                                                 offset >= entries.back().offset);
        if (relative > INT32_MAX || !ordered || timestamp < 0) {
            index.entries_.clear();
            index.corrupt_ = true;
            return index;
        }
        index.entries_.push_back({timestamp, offset});
    }
    return index;
}

void time_index::maybe_append(int64_t timestamp, int64_t offset, bool skip_full_check) {
    if (!skip_full_check && full()) return;
    // An empty index behaves as if it held {no_timestamp, base}, as Kafka's does.
    if (timestamp <= (entries_.empty() ? no_timestamp : entries_.back().timestamp)) return;
    uint8_t raw[entry_size];
    record::be::store64(raw, static_cast<uint64_t>(timestamp));
    record::be::store32(raw + 8, static_cast<uint32_t>(offset - base_offset_));
    file_.stage(raw);
    entries_.push_back({timestamp, offset});
}

time_index::entry time_index::lookup(int64_t target) const {
    auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                               [](int64_t t, const entry& e) { return t < e.timestamp; });
    if (it == entries_.begin()) return {no_timestamp, base_offset_};
    return *std::prev(it);
}

std::error_code time_index::truncate_to(int64_t offset) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [offset](const entry& e) { return e.offset >= offset; });
    entries_.erase(it, entries_.end());
    return file_.truncate_entries(entries_.size());
}

}  // namespace eddy::log
