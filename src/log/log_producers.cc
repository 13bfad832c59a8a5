// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The log's idempotent-producer state on disk: snapshots beside the segments
// (producer_snapshot_format.md) and the rebuild at open and after truncation, as Kafka's
// UnifiedLog.loadProducerState does.
#include <algorithm>
#include <set>
#include <vector>

#include "common/logging.h"
#include "log/file_names.h"
#include "log/log.h"
#include "log/producer_snapshot.h"

namespace eddy::log {
namespace {

// The snapshot offsets in `dir`, ascending.
result<std::vector<int64_t>> snapshot_offsets(filesystem& fs, const std::string& dir) {
    auto names = fs.list(dir);
    if (!names) return names.error();
    std::vector<int64_t> out;
    for (const auto& name : *names) {
        if (auto offset = parse_segment_file_name(name, snapshot_suffix)) out.push_back(*offset);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

template <typename Fn>
std::error_code log::for_each_batch(int64_t from, int64_t end, Fn&& fn) {
    std::array<uint8_t, record::batch_header_size> header{};
    std::vector<uint8_t> whole;
    for (auto& [base, seg] : segments_) {
        if (seg->next_offset() <= from || base >= end) continue;
        auto first = seg->find_batch(from);
        if (!first) return first.error();
        if (!*first) continue;
        uint64_t pos = (*first)->position;
        while (pos + header.size() <= seg->size()) {
            if (auto ec = read_exact(*seg->log_file(), pos, header)) return ec;
            record::batch_view b(header.data(), header.size());
            if (b.base_offset() >= end) return {};
            const uint64_t size = record::log_overhead + static_cast<uint64_t>(b.batch_length());
            if (b.is_control()) {
                // A marker is read from the batch's record, not its header.
                whole.resize(size);
                if (auto ec = read_exact(*seg->log_file(), pos, whole)) return ec;
                fn(record::batch_view(whole.data(), whole.size()));
            } else {
                fn(b);
            }
            pos += size;
        }
    }
    return {};
}

std::error_code log::load_producer_state(int64_t now_ms, bool clean_shutdown,
                                         const std::set<int64_t>& rescanned) {
    // Snapshots beyond the log's end describe batches recovery cut away.
    if (auto ec = remove_producer_snapshots(segments_.begin()->first, next_offset_)) return ec;
    return rebuild_producer_state(next_offset_, now_ms, clean_shutdown, rescanned);
}

std::error_code log::rebuild_producer_state(int64_t end, int64_t now_ms, bool clean_shutdown,
                                            const std::set<int64_t>& rescanned) {
    producers_.clear();
    auto offsets = snapshot_offsets(*fs_, dir_);
    if (!offsets) return offsets.error();
    // Refilling a rescanned segment's aborted-transaction index needs the transactions
    // open at its start: the replay starts from a snapshot at or below it.
    const int64_t limit = rescanned.empty() ? end : std::min(end, *rescanned.begin());
    std::optional<int64_t> from;
    for (auto it = offsets->rbegin(); it != offsets->rend() && !from; ++it) {
        if (*it > limit) continue;
        const std::string path = join_path(dir_, segment_file_name(*it, snapshot_suffix));
        auto bytes = read_whole_file(*fs_, path);
        if (bytes && decode_producer_snapshot(*bytes, producers_, now_ms)) {
            from = *it;
            break;
        }
        // A damaged snapshot is dropped; an older one or the log itself replaces it.
        get_logger("storage")->warn("log {}: producer snapshot {} is unreadable; removing it",
                                    dir_, *it);
        if (auto ec = fs_->remove(path)) return ec;
        dir_dirty_ = true;
    }
    if (!from && clean_shutdown && end == next_offset_ && rescanned.empty()) {
        // Kafka's shortcut for a cleanly stopped log that never had a snapshot (written
        // before producer state was kept): no scan, the state starts empty.
        producers_.set_map_end_offset(end);
        return write_producer_snapshot();
    }
    const int64_t start = from.value_or(segments_.begin()->first);
    producers_.set_map_end_offset(start);
    std::error_code index_error;
    if (auto ec = for_each_batch(start, end, [&](const record::batch_view& b) {
            for (const auto& txn : producers_.replay(b)) {
                if (!txn.aborted || index_error) continue;
                auto seg = std::prev(segments_.upper_bound(txn.last_offset));
                if (!rescanned.contains(seg->first)) continue;
                index_error = seg->second->txns().append(
                    {txn.producer_id, txn.first_offset, txn.last_offset, txn.last_stable_offset});
            }
        })) {
        return ec;
    }
    if (index_error) return index_error;
    for (int64_t base : rescanned) {
        auto seg = segments_.find(base);
        if (seg == segments_.end()) continue;
        if (auto ec = seg->second->txns().sync()) return ec;
    }
    producers_.set_map_end_offset(end);
    producers_.remove_expired(now_ms);
    return {};
}

std::error_code log::write_producer_snapshot() {
    const int64_t offset = producers_.map_end_offset();
    const auto bytes = encode_producer_snapshot(producers_);
    if (auto ec = write_file_atomically(*fs_, dir_, segment_file_name(offset, snapshot_suffix),
                                        bytes)) {
        return ec;
    }
    dir_dirty_ = true;
    return {};
}

std::error_code log::remove_producer_snapshots(int64_t below, int64_t above) {
    auto offsets = snapshot_offsets(*fs_, dir_);
    if (!offsets) return offsets.error();
    // The newest snapshot at or below `above` is kept even when below `below`: it is the
    // state the next open starts from.
    std::optional<int64_t> newest_kept;
    for (int64_t o : *offsets)
        if (o <= above) newest_kept = o;
    for (int64_t o : *offsets) {
        if (o > above || (o < below && o != newest_kept)) {
            if (auto ec = fs_->remove(join_path(dir_, segment_file_name(o, snapshot_suffix)))) {
                return ec;
            }
            dir_dirty_ = true;
        }
    }
    return {};
}

}  // namespace eddy::log
