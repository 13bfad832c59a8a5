// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Log compaction (cleanup.policy=compact), as Kafka's LogCleaner does it for one log: the
// keys of the dirty segments are mapped to their last offset, then every segment below
// the dirty end is written again without the records a later one of the same key
// replaces. Offsets never change; a segment keeps its base offset and its name.
//
// The replacement of segment B is built beside it as B.log.cleaned (and .index.cleaned,
// .timeindex.cleaned, .txnindex.cleaned), fsynced, then renamed to B.*.swap, the .log
// last: B.log.swap existing is the commit point. Then each .swap is renamed over its
// live file. log::load finishes a committed swap and removes an uncommitted one, so a
// crash at any step leaves either the old segment or the new one, whole.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/logging.h"
#include "log/errc.h"
#include "log/file_names.h"
#include "log/log.h"
#include "record/batch_filter.h"
#include "record/records.h"

namespace eddy::log {
namespace {

// Segments are read in chunks of this size (more when one batch is larger).
constexpr size_t read_chunk = 1 << 20;
// A compressed batch is decompressed into at most this much (a batch is at most
// max.message.bytes compressed; this bounds what a hostile compression ratio could ask).
constexpr size_t decompress_limit = 256u << 20;
// What the offset map counts per key beyond the key's bytes (node, hash slot, offset),
// to hold it to log.cleaner.dedupe.buffer.size.
constexpr size_t map_entry_overhead = 64;

// Calls fn(batch) for every batch of `seg`, CRC checked: the cleaner writes what it reads
// with a new CRC, so it must not take in a batch the disk damaged.
template <typename Fn>
std::error_code for_each_stored_batch(const segment& seg, std::vector<uint8_t>& buf, Fn&& fn) {
    const uint64_t size = seg.size();
    uint64_t pos = 0;
    size_t want = read_chunk;
    while (pos < size) {
        buf.resize(static_cast<size_t>(std::min<uint64_t>(size - pos, want)));
        if (auto ec = read_exact(*seg.log_file(), pos, buf)) return ec;
        record::batch_scanner scanner(buf.data(), buf.size());
        record::batch_view v;
        record::scan_status status;
        while ((status = scanner.next(v)) == record::scan_status::ok) {
            if (auto ec = fn(v)) return ec;
        }
        const size_t consumed = scanner.position();
        const bool whole_rest = buf.size() == size - pos;  // nothing more to read
        pos += consumed;
        if (status == record::scan_status::end) continue;
        if (status == record::scan_status::incomplete && !whole_rest) {
            want = read_chunk;
            if (buf.size() - consumed >= record::log_overhead) {
                record::batch_view h(buf.data() + consumed, buf.size() - consumed);
                want = std::max<size_t>(want, record::log_overhead +
                                                  static_cast<uint32_t>(h.batch_length()));
            }
            continue;
        }
        return errc::invalid_batches;
    }
    return {};
}

// The data of aborted transactions, from every segment's .txnindex: read_committed
// consumers never see it, so it must not stand in the offset map for a key's last value.
class aborted_data {
public:
    void add(const aborted_txn_entry& e) { ranges_[e.producer_id].push_back({e.first_offset, e.last_offset}); }
    bool contains(const record::batch_view& b) const {
        if (!b.is_transactional() || b.is_control()) return false;
        auto it = ranges_.find(b.producer_id());
        if (it == ranges_.end()) return false;
        for (const auto& [first, marker] : it->second)
            if (b.base_offset() >= first && b.last_offset() < marker) return true;
        return false;
    }

private:
    std::unordered_map<int64_t, std::vector<std::pair<int64_t, int64_t>>> ranges_;
};

}  // namespace

result<clean_result> log::clean(const clean_options& opts) {
    clean_result out;
    first_dirty_offset_ = std::max(first_dirty_offset_, log_start_offset_);
    out.first_dirty_offset = first_dirty_offset_;
    if (failed_ || segments_.size() < 2) return out;

    // Kafka's firstUncleanableOffset: nothing from the active segment, the first open
    // transaction, the high watermark, or a segment younger than min.compaction.lag.ms on.
    int64_t uncleanable = std::min({active().base_offset(), first_unstable_offset(), opts.high_watermark});
    auto dirty_begin = std::prev(segments_.upper_bound(first_dirty_offset_));
    if (opts.min_compaction_lag_ms > 0) {
        for (auto it = dirty_begin; it != segments_.end(); ++it) {
            const auto& [base, seg] = *it;
            if (base >= uncleanable) break;
            const int64_t newest = seg->max_timestamp() >= 0 ? seg->max_timestamp() : seg->last_modified_ms();
            if (newest > opts.now_ms - opts.min_compaction_lag_ms) {
                uncleanable = base;
                break;
            }
        }
    }
    // Whole segments only: the dirty ones start at the one holding the first dirty
    // offset and end before the first that reaches the uncleanable offset.
    auto dirty_end = dirty_begin;
    uint64_t dirty_bytes = 0;
    while (std::next(dirty_end) != segments_.end() && std::next(dirty_end)->first <= uncleanable) {
        dirty_bytes += dirty_end->second->size();
        ++dirty_end;
    }
    if (dirty_end == dirty_begin) return out;
    uint64_t clean_bytes = 0;
    for (auto it = segments_.begin(); it != dirty_begin; ++it) clean_bytes += it->second->size();
    const double ratio = static_cast<double>(dirty_bytes) / static_cast<double>(clean_bytes + dirty_bytes);
    // max.compaction.lag.ms: a dirty segment that old is cleaned whatever the ratio.
    const int64_t oldest_dirty = dirty_begin->second->max_timestamp();
    const bool overdue = opts.max_compaction_lag_ms < INT64_MAX && oldest_dirty >= 0 &&
                         opts.now_ms - oldest_dirty > opts.max_compaction_lag_ms;
    if (ratio < opts.min_cleanable_ratio && !overdue) return out;

    aborted_data aborted;
    for (const auto& [base, seg] : segments_)
        for (const auto& e : seg->txns().entries()) aborted.add(e);

    // The offset map: each key of the dirty segments to its last offset, segment by
    // segment until the map outgrows its budget (at least one segment is mapped).
    std::unordered_map<std::string, int64_t> last_offset_of;
    size_t map_bytes = 0;
    std::vector<uint8_t> buf;
    record::byte_buffer scratch;
    auto mapped_end = dirty_begin;
    while (mapped_end != dirty_end && (mapped_end == dirty_begin || map_bytes <= opts.offset_map_bytes)) {
        auto ec = for_each_stored_batch(*mapped_end->second, buf, [&](const record::batch_view& b) -> std::error_code {
            if (b.is_control() || aborted.contains(b)) return {};
            record::record_bytes records = record::batch_records(b, scratch, decompress_limit);
            if (records.status != record::codec_status::ok) return {};
            record::record_reader reader(records.data, records.size, b.records_count());
            record::record_view rec;
            while (reader.next(rec) == record::record_status::ok) {
                if (rec.key.is_null()) continue;
                auto [it, added] = last_offset_of.try_emplace(std::string(rec.key.str()), 0);
                it->second = b.base_offset() + rec.offset_delta;
                if (added) map_bytes += it->first.size() + map_entry_overhead;
            }
            return {};
        });
        if (ec) return ec;
        ++mapped_end;
    }
    const int64_t end_offset = mapped_end->first;

    // Every segment below the mapped end is written again.
    record::batch_filter filter;
    const record::batch_filter::keep_fn keep = [&last_offset_of](const record::record_view& rec, int64_t offset) {
        // Kafka's cleaner drops records without a key: a compacted topic refuses them.
        if (rec.key.is_null()) return false;
        auto it = last_offset_of.find(std::string(rec.key.str()));
        return it == last_offset_of.end() || offset >= it->second;
    };
    std::vector<uint8_t> pending;
    for (auto it = segments_.begin(); it != mapped_end; ++it) {
        segment& old = *it->second;
        const int64_t base = it->first;
        auto made = segment::create(*fs_, dir_, base, segment_opts(), opts.now_ms, cleaned_suffix);
        if (!made) return made.error();
        std::unique_ptr<segment> cleaned = std::move(*made);
        bool changed = false;
        int64_t removed = 0;
        pending.clear();
        auto flush_pending = [&]() -> std::error_code {
            if (pending.empty()) return {};
            auto ec = cleaned->append(pending);
            pending.clear();
            return ec;
        };
        auto ec = for_each_stored_batch(old, buf, [&](const record::batch_view& b) -> std::error_code {
            std::span<const uint8_t> kept(b.data(), b.size());
            // Markers and aborted data stay as they are (read_committed consumers need the
            // markers; Kafka removes both later, after delete.retention.ms).
            if (!b.is_control() && !aborted.contains(b)) {
                record::record_bytes records = record::batch_records(b, scratch, decompress_limit);
                if (records.status == record::codec_status::ok) {
                    const producer_entry* p = b.has_producer_id() ? producers_.find(b.producer_id()) : nullptr;
                    const bool keep_empty = p != nullptr && p->last_offset() == b.last_offset();
                    switch (filter.filter(b, records, keep, keep_empty)) {
                    case record::filter_outcome::whole:
                    case record::filter_outcome::failed: break;
                    case record::filter_outcome::dropped: kept = {}; break;
                    case record::filter_outcome::rebuilt: kept = filter.rebuilt(); break;
                    }
                    removed += filter.removed();
                    changed = changed || filter.removed() > 0;
                }
            }
            pending.insert(pending.end(), kept.begin(), kept.end());
            return pending.size() >= read_chunk ? flush_pending() : std::error_code{};
        });
        if (!ec) ec = flush_pending();
        auto paths = cleaned->file_paths();
        if (ec || !changed) {
            cleaned.reset();
            for (const auto& p : paths) (void)fs_->remove(p);
            if (ec) return ec;
            continue;
        }
        for (const auto& e : old.txns().entries()) {
            if (auto xe = cleaned->txns().append(e)) return xe;
        }
        if (auto xe = cleaned->on_become_inactive()) return xe;
        if (auto xe = cleaned->sync()) return xe;
        // A segment without timestamps ages by its mtime (time retention, the lag above):
        // the rewrite must not make it young again, as Kafka's cleaner keeps it too.
        if (auto mtime = old.log_file()->modified_ms()) {
            if (auto xe = cleaned->log_file()->set_modified_ms(*mtime)) return xe;
        }
        out.bytes_before += old.size();
        out.bytes_after += cleaned->size();
        cleaned.reset();
        if (auto xe = swap_in_cleaned(base, paths, opts.now_ms)) return xe;
        out.records_removed += removed;
        ++out.segments_rewritten;
    }
    first_dirty_offset_ = end_offset;
    out.cleaned = true;
    out.first_dirty_offset = end_offset;
    if (out.segments_rewritten > 0) {
        get_logger("storage")->info(
            "log {}: cleaned {} segments up to offset {}: {} records removed, {} bytes now {}",
            dir_, out.segments_rewritten, end_offset, out.records_removed, out.bytes_before, out.bytes_after);
    }
    return out;
}

std::error_code log::swap_in_cleaned(int64_t base, const std::array<std::string, 4>& cleaned_paths,
                                     int64_t now_ms) {
    // paths are index, time index, txn index, log: the .log goes last, after a directory
    // fsync, so that no crash can keep its rename without the others'.
    std::array<std::string, 4> live;
    for (size_t i = 0; i < cleaned_paths.size(); ++i)
        live[i] = cleaned_paths[i].substr(0, cleaned_paths[i].size() - cleaned_suffix.size());
    const std::string swap(swap_suffix);
    std::error_code ec;
    for (size_t i = 0; i < 3 && !ec; ++i) ec = fs_->rename(cleaned_paths[i], live[i] + swap);
    if (!ec) ec = fs_->sync_directory(dir_);
    if (!ec) ec = fs_->rename(cleaned_paths[3], live[3] + swap);
    if (ec) {
        // Not committed: the old segment stays; no .swap may outlive this pass, or a later
        // open would take it for a committed one.
        for (size_t i = 0; i < 4; ++i) {
            (void)fs_->remove(live[i] + swap);
            (void)fs_->remove(cleaned_paths[i]);
        }
        return ec;
    }
    // Committed: from here the new segment must win, at the next open if not now.
    for (size_t i = 0; i < 3 && !ec; ++i) ec = fs_->rename(live[i] + swap, live[i]);
    if (!ec) ec = fs_->sync_directory(dir_);
    if (!ec) ec = fs_->rename(live[3] + swap, live[3]);
    if (!ec) ec = fs_->sync_directory(dir_);
    if (ec) {
        failed_ = true;  // the old segment in memory no longer matches the files
        return ec;
    }
    bool needs_recovery = false;
    auto fresh = segment::open(*fs_, dir_, base, segment_opts(), now_ms, needs_recovery);
    if (!fresh) return fresh.error();
    if (needs_recovery) return errc::invalid_batches;  // what was just written and fsynced
    segments_[base] = std::move(*fresh);
    return {};
}

std::error_code log::finish_swaps(const std::vector<std::string>& names) {
    // The .swap files of one segment: committed when its .log.swap exists.
    std::set<int64_t> committed;
    for (const auto& name : names) {
        if (!name.ends_with(swap_suffix)) continue;
        const std::string_view live(name.data(), name.size() - swap_suffix.size());
        if (auto base = parse_segment_file_name(live, log_suffix)) committed.insert(*base);
    }
    // The indexes first and each .log.swap last, so that a crash in between finds the
    // swap still committed next time. A committed segment's offset and time indexes are
    // then removed, to be rebuilt from its .log: whatever the file system kept of the
    // renames' order, no index is trusted against a log it was not built from. (Its
    // .txnindex holds the same aborted transactions old and new.)
    for (bool logs : {false, true}) {
        for (const auto& name : names) {
            if (name.ends_with(cleaned_suffix)) {
                if (logs) continue;
                if (auto ec = fs_->remove(join_path(dir_, name))) return ec;
                dir_dirty_ = true;
                continue;
            }
            if (!name.ends_with(swap_suffix)) continue;
            const std::string live = name.substr(0, name.size() - swap_suffix.size());
            std::optional<int64_t> base = parse_segment_file_name(live, log_suffix);
            if (base.has_value() != logs) continue;
            for (auto suffix : {index_suffix, time_index_suffix, txn_index_suffix}) {
                if (!base) base = parse_segment_file_name(live, suffix);
            }
            std::error_code ec = base && committed.contains(*base)
                                     ? fs_->rename(join_path(dir_, name), join_path(dir_, live))
                                     : fs_->remove(join_path(dir_, name));
            if (ec) return ec;
            dir_dirty_ = true;
        }
    }
    for (int64_t base : committed) {
        for (auto suffix : {index_suffix, time_index_suffix}) {
            auto ec = fs_->remove(join_path(dir_, segment_file_name(base, suffix)));
            if (ec && ec != std::errc::no_such_file_or_directory) return ec;
        }
    }
    return {};
}

}  // namespace eddy::log
