// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/offset_index.h"

#include <algorithm>
#include <climits>

#include "log/errc.h"
#include "record/endian.h"

namespace eddy::log {

result<offset_index> offset_index::open(filesystem& fs, std::string path, int64_t base_offset,
                                        size_t max_entries, uint64_t log_size) {
    std::vector<uint8_t> raw;
    auto f = index_file::open(fs, std::move(path), entry_size, raw);
    if (!f) return f.error();
    offset_index index(std::move(*f), base_offset, max_entries);
    // A torn write leaves a partial entry: the whole index is then suspect and rebuilt.
    if (raw.size() % entry_size != 0) {
        index.corrupt_ = true;
        return index;
    }
    for (size_t i = 0; i < raw.size(); i += entry_size) {
        const int64_t offset = base_offset + record::be::load32(&raw[i]);
        const uint32_t position = record::be::load32(&raw[i + 4]);
        const bool increasing = index.entries_.empty() || (offset > index.entries_.back().offset &&
                                                           position > index.entries_.back().position);
        if (record::be::load32(&raw[i]) > INT32_MAX || !increasing || position >= log_size) {
            index.entries_.clear();
            index.corrupt_ = true;
            return index;
        }
        index.entries_.push_back({offset, position});
    }
    return index;
}

void offset_index::append(int64_t offset, uint32_t position) {
    uint8_t raw[entry_size];
    record::be::store32(raw, static_cast<uint32_t>(offset - base_offset_));
    record::be::store32(raw + 4, position);
    file_.stage(raw);
    entries_.push_back({offset, position});
}

offset_index::entry offset_index::lookup(int64_t target) const {
    auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                               [](int64_t t, const entry& e) { return t < e.offset; });
    if (it == entries_.begin()) return {base_offset_, 0};
    return *std::prev(it);
}

std::error_code offset_index::truncate_to(int64_t offset) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                               [](const entry& e, int64_t t) { return e.offset < t; });
    entries_.erase(it, entries_.end());
    return file_.truncate_entries(entries_.size());
}

}  // namespace eddy::log
