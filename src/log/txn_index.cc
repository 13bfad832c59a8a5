// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/txn_index.h"

#include <algorithm>
#include <array>

#include "record/endian.h"

namespace eddy::log {
namespace be = record::be;

result<txn_index> txn_index::open(filesystem& fs, std::string path, int64_t base_offset) {
    std::vector<uint8_t> bytes;
    auto f = index_file::open(fs, std::move(path), entry_size, bytes);
    if (!f) return f.error();
    txn_index out(std::move(*f));
    out.corrupt_ = bytes.size() % entry_size != 0;
    for (size_t pos = 0; !out.corrupt_ && pos < bytes.size(); pos += entry_size) {
        const uint8_t* p = bytes.data() + pos;
        aborted_txn_entry e;
        e.producer_id = static_cast<int64_t>(be::load64(p + 2));
        e.first_offset = static_cast<int64_t>(be::load64(p + 10));
        e.last_offset = static_cast<int64_t>(be::load64(p + 18));
        e.last_stable_offset = static_cast<int64_t>(be::load64(p + 26));
        const bool follows =
            out.entries_.empty() || out.entries_.back().last_offset < e.last_offset;
        if (static_cast<int16_t>(be::load16(p)) != version || e.last_offset < base_offset ||
            e.first_offset > e.last_offset || !follows) {
            out.corrupt_ = true;
        } else {
            out.entries_.push_back(e);
        }
    }
    if (out.corrupt_) out.entries_.clear();
    return out;
}

std::error_code txn_index::append(const aborted_txn_entry& e) {
    std::array<uint8_t, entry_size> raw{};
    be::store16(raw.data(), static_cast<uint16_t>(version));
    be::store64(raw.data() + 2, static_cast<uint64_t>(e.producer_id));
    be::store64(raw.data() + 10, static_cast<uint64_t>(e.first_offset));
    be::store64(raw.data() + 18, static_cast<uint64_t>(e.last_offset));
    be::store64(raw.data() + 26, static_cast<uint64_t>(e.last_stable_offset));
    // Memory first: readers see the abort even if the file write fails (the log then
    // refuses further appends and the next open rebuilds the file from the batches).
    entries_.push_back(e);
    file_.stage(raw.data());
    return file_.write_staged();
}

std::error_code txn_index::truncate_to(int64_t offset) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [offset](const aborted_txn_entry& e) {
        return e.last_offset >= offset;
    });
    if (it == entries_.end()) return {};
    entries_.erase(it, entries_.end());
    return file_.truncate_entries(entries_.size());
}

std::error_code txn_index::reset() {
    entries_.clear();
    corrupt_ = false;
    return file_.truncate_entries(0);
}

bool txn_index::collect(int64_t from, int64_t upto, std::vector<aborted_txn_entry>& out) const {
    for (const auto& e : entries_) {
        if (e.last_offset >= from && e.first_offset < upto) out.push_back(e);
        if (e.last_stable_offset >= upto) return true;
    }
    return false;
}

}  // namespace eddy::log
