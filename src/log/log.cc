// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Opening a partition log: finding its segments and recovering after an unclean stop.
#include "log/log.h"

#include <algorithm>
#include <set>

#include "common/logging.h"
#include "log/errc.h"
#include "log/file_names.h"

namespace eddy::log {

log::log(filesystem& fs, std::string dir, log_config config, leader_epoch_cache epochs)
    : fs_(&fs), dir_(std::move(dir)), config_(config), epochs_(std::move(epochs)),
      producers_(config.producer_id_expiration_ms) {}

result<std::unique_ptr<log>> log::open(filesystem& fs, std::string dir, log_config config,
                                       const open_options& opts) {
    if (auto ec = fs.create_directories(dir)) return ec;
    auto epochs = leader_epoch_cache::load(fs, dir);
    if (!epochs) return epochs.error();
    std::unique_ptr<log> l(new log(fs, std::move(dir), config, std::move(*epochs)));
    if (auto ec = l->load(opts)) return ec;
    return l;
}

std::error_code log::load(const open_options& opts) {
    auto names = fs_->list(dir_);
    if (!names) return names.error();
    // An interrupted cleaning first: its finished swap may bring a segment's files back.
    if (std::any_of(names->begin(), names->end(), [](const std::string& n) {
            return n.ends_with(swap_suffix) || n.ends_with(cleaned_suffix);
        })) {
        if (auto ec = finish_swaps(*names)) return ec;
        names = fs_->list(dir_);
        if (!names) return names.error();
    }
    std::set<int64_t> bases;
    std::vector<std::string> indexes;
    for (const auto& name : *names) {
        // Leftovers of an interrupted checkpoint write or segment deletion.
        if (name.ends_with(tmp_suffix) || name.ends_with(deleted_suffix)) {
            if (auto ec = fs_->remove(join_path(dir_, name))) return ec;
            dir_dirty_ = true;
        } else if (auto base = parse_segment_file_name(name, log_suffix)) {
            bases.insert(*base);
        } else if (parse_segment_file_name(name, index_suffix) ||
                   parse_segment_file_name(name, time_index_suffix) ||
                   parse_segment_file_name(name, txn_index_suffix)) {
            indexes.push_back(name);
        }
    }
    // An index without its .log belongs to nothing (Kafka deletes these too).
    for (const auto& name : indexes) {
        auto base = parse_segment_file_name(name, index_suffix);
        if (!base) base = parse_segment_file_name(name, time_index_suffix);
        if (!base) base = parse_segment_file_name(name, txn_index_suffix);
        if (!bases.contains(*base)) {
            if (auto ec = fs_->remove(join_path(dir_, name))) return ec;
            dir_dirty_ = true;
        }
    }

    std::vector<int64_t> flagged;
    for (int64_t base : bases) {
        bool needs_recovery = false;
        auto seg = segment::open(*fs_, dir_, base, segment_opts(), opts.now_ms, needs_recovery);
        if (!seg) return seg.error();
        if (needs_recovery) flagged.push_back(base);
        segments_.emplace(base, std::move(*seg));
    }
    // Only the active segment holds disk blocks past its end (segment::append,
    // preallocate), and only a crash can leave them there. Released before any new
    // segment is made, which may reserve its own.
    if (!opts.clean_shutdown && !segments_.empty()) {
        if (auto ec = segments_.rbegin()->second->release_reserved_blocks()) return ec;
    }
    if (segments_.empty()) {
        const int64_t base = std::max<int64_t>(opts.log_start_offset, 0);
        auto seg = segment::create(*fs_, dir_, base, segment_opts(), opts.now_ms);
        if (!seg) return seg.error();
        segments_.emplace(base, std::move(*seg));
        dir_dirty_ = true;
    }

    const int64_t recover_point = opts.clean_shutdown ? INT64_MAX : opts.recovery_point;
    std::set<int64_t> rescanned;
    if (auto ec = recover_from(recover_point, std::move(flagged), rescanned)) return ec;

    next_offset_ = active().next_offset();
    log_start_offset_ = std::max(opts.log_start_offset, segments_.begin()->first);
    if (log_start_offset_ > next_offset_) {
        if (auto ec = truncate_fully_and_start_at(log_start_offset_, opts.now_ms)) return ec;
        rescanned.clear();  // those segments are gone
    }
    if (auto ec = epochs_.truncate_from_end(next_offset_)) return ec;
    if (auto ec = epochs_.truncate_from_start(log_start_offset_)) return ec;
    last_flush_ms_ = opts.now_ms;
    // After a clean stop everything was flushed; after an unclean one every segment from
    // the recovery point on was validated and fsynced by recover_from.
    recovery_point_ = next_offset_;
    if (auto ec = load_producer_state(opts.now_ms, opts.clean_shutdown, rescanned)) return ec;
    if (dir_dirty_) {
        if (auto ec = fs_->sync_directory(dir_)) return ec;
        dir_dirty_ = false;
    }
    return {};
}

std::error_code log::recover_from(int64_t recovery_point, std::vector<int64_t> flagged,
                                  std::set<int64_t>& rescanned) {
    // The segment holding the recovery point and everything after it are unflushed.
    int64_t first_unflushed = INT64_MAX;
    if (recovery_point != INT64_MAX) {
        auto it = segments_.upper_bound(recovery_point);
        first_unflushed = it == segments_.begin() ? it->first : std::prev(it)->first;
    }
    auto logger = get_logger("storage");
    int64_t prev_next = segments_.begin()->first;
    for (auto it = segments_.begin(); it != segments_.end(); ++it) {
        segment& seg = *it->second;
        const bool unflushed = it->first >= first_unflushed;
        const bool bad_index = std::find(flagged.begin(), flagged.end(), it->first) != flagged.end();
        if (!unflushed && !bad_index) {
            prev_next = seg.next_offset();
            continue;
        }
        if (bad_index) {
            logger->warn("log {}: index of segment {} missing or corrupt; rebuilding it", dir_,
                         it->first);
        }
        std::string reason;
        auto truncated = seg.recover(prev_next, [this](const record::batch_view& b) {
            const int32_t epoch = b.partition_leader_epoch();
            const auto latest = epochs_.latest_epoch();
            if (epoch >= 0 && (!latest || epoch > *latest)) (void)epochs_.assign(epoch, b.base_offset());
        }, reason);
        if (!truncated) return truncated.error();
        // The cut and the rebuilt indexes must be durable before anything is appended
        // after them, or a power loss could bring the invalid tail back.
        if (auto ec = seg.sync()) return ec;
        ++recovery_.segments_scanned;
        rescanned.insert(it->first);
        prev_next = seg.next_offset();
        if (*truncated == 0) continue;

        // Everything after the first bad batch is unvalidated: drop the rest of the log.
        recovery_.bytes_truncated += *truncated;
        recovery_.reason = reason;
        size_t dropped = 0;
        for (auto later = std::next(it); later != segments_.end();) {
            if (auto ec = later->second->remove_files()) return ec;
            later = segments_.erase(later);
            ++dropped;
        }
        recovery_.segments_deleted = dropped;
        dir_dirty_ = true;
        logger->warn("log {}: recovery truncated {} bytes of segment {} at offset {} ({}) and "
                     "deleted {} later segments",
                     dir_, *truncated, it->first, seg.next_offset(), reason, dropped);
        break;
    }
    return {};
}

uint64_t log::size_bytes() const {
    uint64_t total = 0;
    for (const auto& [base, seg] : segments_) total += seg->size();
    return total;
}

}  // namespace eddy::log
