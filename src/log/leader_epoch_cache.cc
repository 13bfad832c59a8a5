// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/leader_epoch_cache.h"

#include <algorithm>

namespace eddy::log {

result<leader_epoch_cache> leader_epoch_cache::load(filesystem& fs, std::string partition_dir) {
    auto entries = read_leader_epoch_checkpoint(fs, partition_dir);
    if (!entries) return entries.error();
    return leader_epoch_cache(fs, std::move(partition_dir), std::move(*entries));
}

std::error_code leader_epoch_cache::assign(int32_t epoch, int64_t start_offset) {
    if (epoch < 0 || start_offset < 0) return {};
    if (!entries_.empty() && entries_.back().epoch == epoch &&
        start_offset >= entries_.back().start_offset) {
        return {};
    }
    std::erase_if(entries_, [&](const epoch_entry& e) {
        return e.epoch >= epoch || e.start_offset >= start_offset;
    });
    entries_.push_back({epoch, start_offset});
    return persist();
}

std::error_code leader_epoch_cache::truncate_from_end(int64_t end_offset) {
    auto removed = std::erase_if(entries_, [&](const epoch_entry& e) {
        return e.start_offset >= end_offset;
    });
    return removed > 0 ? persist() : std::error_code{};
}

std::error_code leader_epoch_cache::truncate_from_start(int64_t start_offset) {
    auto first_kept = std::find_if(entries_.begin(), entries_.end(), [&](const epoch_entry& e) {
        return e.start_offset >= start_offset;
    });
    if (first_kept == entries_.begin()) return {};
    // The last entry before start_offset still covers it: keep it, starting there.
    auto last_before = std::prev(first_kept);
    if (last_before->start_offset == start_offset) return {};
    last_before->start_offset = start_offset;
    entries_.erase(entries_.begin(), last_before);
    return persist();
}

std::error_code leader_epoch_cache::clear() {
    if (entries_.empty()) return {};
    entries_.clear();
    return persist();
}

std::optional<int32_t> leader_epoch_cache::latest_epoch() const {
    if (entries_.empty()) return std::nullopt;
    return entries_.back().epoch;
}

std::pair<int32_t, int64_t> leader_epoch_cache::end_offset_for(int32_t requested,
                                                               int64_t log_end_offset) const {
    if (requested == undefined_epoch) return {undefined_epoch, undefined_offset};
    if (!entries_.empty() && entries_.back().epoch == requested) {
        return {requested, log_end_offset};
    }
    auto higher = std::upper_bound(entries_.begin(), entries_.end(), requested,
                                   [](int32_t r, const epoch_entry& e) { return r < e.epoch; });
    if (higher == entries_.end()) return {undefined_epoch, undefined_offset};
    if (higher == entries_.begin()) return {requested, higher->start_offset};
    return {std::prev(higher)->epoch, higher->start_offset};
}

}  // namespace eddy::log
