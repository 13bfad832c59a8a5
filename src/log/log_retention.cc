// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Deleting old data: retention by time and size, and DeleteRecords.
#include <algorithm>

#include "common/logging.h"
#include "log/errc.h"
#include "log/log.h"

namespace eddy::log {

template <typename Pred>
result<retention_result> log::delete_oldest(int64_t now_ms, int64_t high_watermark, Pred pred) {
    retention_result out;
    // Kafka's deletableSegments: oldest first, stop at the first segment that is kept,
    // never past the high watermark, never the active segment when it is empty.
    size_t deletable = 0;
    for (auto it = segments_.begin(); it != segments_.end(); ++it) {
        auto next = std::next(it);
        const bool last = next == segments_.end();
        const int64_t upper = last ? next_offset_ : next->first;
        if (high_watermark < upper || (last && it->second->empty())) break;
        if (!pred(*it->second, next == segments_.end() ? nullptr : next->second.get())) break;
        ++deletable;
    }
    if (deletable == 0) {
        out.log_start_offset = log_start_offset_;
        return out;
    }
    // Deleting every segment: keep an empty active segment at the log end.
    if (deletable == segments_.size()) {
        if (auto ec = roll(now_ms)) return ec;
    }
    std::error_code failed;
    for (size_t i = 0; i < deletable && !failed; ++i) {
        out.bytes_deleted += segments_.begin()->second->size();
        failed = retire_segment(segments_.begin());
        ++out.segments_deleted;
    }
    // Also after a failed rename: the segment has left the map all the same (its files,
    // left under their names, are below the log start and go at a later pass or restart),
    // and a log start below the first segment would send reads to no segment at all.
    if (auto ec = raise_log_start(segments_.begin()->first)) return ec;
    if (failed) return failed;
    // Producer snapshots of the deleted segments go with them (the newest always stays).
    if (auto ec = remove_producer_snapshots(segments_.begin()->first, next_offset_)) return ec;
    out.log_start_offset = log_start_offset_;
    get_logger("storage")->info("log {}: deleted {} segments ({} bytes); log start offset now {}",
                                dir_, out.segments_deleted, out.bytes_deleted, log_start_offset_);
    return out;
}

std::error_code log::raise_log_start(int64_t offset) {
    if (offset <= log_start_offset_) return {};
    log_start_offset_ = offset;
    return epochs_.truncate_from_start(offset);
}

result<retention_result> log::apply_retention(int64_t now_ms, int64_t retention_ms,
                                              int64_t retention_bytes, int64_t high_watermark) {
    retention_result total;
    auto add = [&total](const retention_result& r) {
        total.segments_deleted += r.segments_deleted;
        total.bytes_deleted += r.bytes_deleted;
    };
    // Segments wholly below the log start offset (after DeleteRecords).
    auto by_start = delete_oldest(now_ms, high_watermark, [this](const segment&, const segment* next) {
        return next != nullptr && next->base_offset() <= log_start_offset_;
    });
    if (!by_start) return by_start.error();
    add(*by_start);

    const uint64_t size = size_bytes();
    if (retention_bytes >= 0 && size >= static_cast<uint64_t>(retention_bytes)) {
        uint64_t excess = size - static_cast<uint64_t>(retention_bytes);
        auto by_size = delete_oldest(now_ms, high_watermark, [&excess](const segment& s, const segment*) {
            if (s.size() > excess) return false;
            excess -= s.size();
            return true;
        });
        if (!by_size) return by_size.error();
        add(*by_size);
    }

    if (retention_ms >= 0) {
        auto by_time = delete_oldest(now_ms, high_watermark, [&](const segment& s, const segment*) {
            // A segment without timestamps ages from its file's last write, as Kafka's
            // LogSegment.largestTimestamp falls back to lastModified (so a restart does
            // not make it young again).
            const int64_t newest = s.max_timestamp() >= 0 ? s.max_timestamp() : s.last_modified_ms();
            return now_ms - newest > retention_ms;
        });
        if (!by_time) return by_time.error();
        add(*by_time);
    }
    total.log_start_offset = log_start_offset_;
    return total;
}

result<int64_t> log::delete_records_before(int64_t offset, int64_t high_watermark, int64_t now_ms) {
    if (offset > high_watermark || offset > next_offset_) return errc::offset_out_of_range;
    if (auto ec = raise_log_start(offset)) return ec;
    auto r = delete_oldest(now_ms, high_watermark, [this](const segment&, const segment* next) {
        return next != nullptr && next->base_offset() <= log_start_offset_;
    });
    if (!r) return r.error();
    return log_start_offset_;
}

}  // namespace eddy::log
