// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reading a partition log: Fetch file ranges and ListOffsets lookups.
#include <algorithm>

#include "log/errc.h"
#include "log/log.h"

namespace eddy::log {

result<read_result> log::read(int64_t offset, uint32_t max_bytes, int64_t max_offset_exclusive,
                              bool min_one_batch) {
    if (offset < log_start_offset_ || offset > next_offset_) return errc::offset_out_of_range;
    read_result out;
    const int64_t limit = std::min(max_offset_exclusive, next_offset_);
    if (offset >= limit) return out;

    uint64_t budget = max_bytes;
    bool first = true;
    int64_t want = offset;
    // Kafka's LocalLog.read: no segment at or below the offset is out of range (the log
    // start offset is kept at the first segment's base or above, so this is a safeguard).
    auto it = segments_.upper_bound(offset);
    if (it == segments_.begin()) return errc::offset_out_of_range;
    for (--it; it != segments_.end(); ++it) {
        const segment& seg = *it->second;
        want = std::max(want, seg.base_offset());
        if (want >= limit) break;
        auto start = seg.find_batch(want);
        if (!start) return start.error();
        // Past this segment's data (its tail was empty): continue in the next one.
        if (!*start) continue;
        if ((*start)->base_offset >= limit) break;

        uint64_t end = seg.size();
        if (limit < seg.next_offset()) {
            auto stop = seg.find_batch(limit, (*start)->position);
            if (!stop) return stop.error();
            if (*stop) end = (*stop)->position;
        }
        const uint64_t available = end - (*start)->position;
        uint64_t take = std::min(available, budget);
        if (first && min_one_batch) {
            take = std::min<uint64_t>(available, std::max<uint64_t>(budget, (*start)->size));
        }
        // A read with no room for its first batch whole returns nothing, not a part of it:
        // no client can use a part alone (the Java consumer fails its poll), and Kafka's
        // Fetch v3+ drops such a read (ReplicaManager, on LogSegment's firstEntryIncomplete).
        // A batch cut short after whole ones is returned, as Kafka does.
        if (first && take < (*start)->size) break;
        if (take == 0) break;
        out.slices.push_back({seg.log_file(), (*start)->position, static_cast<uint32_t>(take)});
        out.bytes += take;
        budget -= std::min(budget, take);
        first = false;
        // Only a segment read to its end may be followed by the next one, so a partial
        // batch can only be the very last bytes returned.
        if (take < available || end < seg.size() || budget == 0) break;
    }
    return out;
}

result<std::optional<file_slice>> log::batch_holding(int64_t offset) const {
    if (segments_.empty() || offset < segments_.begin()->first || offset >= next_offset_)
        return std::optional<file_slice>{};
    const segment& seg = *std::prev(segments_.upper_bound(offset))->second;
    auto at = seg.find_batch(offset);
    if (!at) return at.error();
    if (!*at || (*at)->base_offset > offset) return std::optional<file_slice>{};
    return std::optional<file_slice>{file_slice{seg.log_file(), (*at)->position, (*at)->size}};
}

bool log::in_earlier_segment(int64_t offset, int64_t end) const {
    if (offset >= end || offset < segments_.begin()->first) return false;
    // The segment holding an offset is the last one whose base is at or below it.
    auto holding = [this](int64_t o) { return std::prev(segments_.upper_bound(o)); };
    return holding(offset) != holding(end);
}

result<std::optional<timestamp_offset>> log::offset_for_timestamp(int64_t timestamp,
                                                                  int64_t from) const {
    const int64_t min_offset = std::max(from, log_start_offset_);
    for (const auto& [base, seg] : segments_) {
        if (seg->max_timestamp() < timestamp || seg->next_offset() <= min_offset) continue;
        auto loc = seg->find_by_timestamp(timestamp, min_offset);
        if (!loc) return loc.error();
        if (*loc) {
            return std::optional<timestamp_offset>{
                timestamp_offset{(*loc)->max_timestamp, std::max((*loc)->base_offset, min_offset)}};
        }
    }
    return std::optional<timestamp_offset>{};
}

std::optional<timestamp_offset> log::max_timestamp_offset() const {
    std::optional<timestamp_offset> best;
    for (const auto& [base, seg] : segments_) {
        if (seg->max_timestamp() < 0) continue;
        if (!best || seg->max_timestamp() > best->timestamp) {
            best = timestamp_offset{seg->max_timestamp(), seg->offset_of_max_timestamp()};
        }
    }
    return best;
}

}  // namespace eddy::log
