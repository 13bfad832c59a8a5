// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Writing a partition log: append, roll, flush, truncation, close.
#include <algorithm>
#include <limits>
#include <random>

#include "common/logging.h"
#include "log/errc.h"
#include "log/log.h"
#include "record/control_record.h"

namespace eddy::log {
namespace {

struct append_shape {
    int64_t offsets = 0;  // offsets the batches span (sum of lastOffsetDelta + 1)
    int64_t first_base = 0;
    int64_t last_offset = 0;
    int64_t max_timestamp = -1;
};

// Checks the framing only: whole v2 batches back to back. The caller checked the rest.
result<append_shape> shape_of(std::span<const uint8_t> batches) {
    append_shape shape;
    size_t pos = 0;
    if (batches.empty()) return errc::invalid_batches;
    while (pos < batches.size()) {
        if (batches.size() - pos < record::batch_header_size) return errc::invalid_batches;
        record::batch_view h(batches.data() + pos, batches.size() - pos);
        const int64_t length = h.batch_length();
        if (h.magic() != record::current_magic || length < record::min_batch_length ||
            static_cast<uint64_t>(length) > batches.size() - pos - record::log_overhead ||
            h.last_offset_delta() < 0) {
            return errc::invalid_batches;
        }
        if (pos == 0) shape.first_base = h.base_offset();
        shape.offsets += int64_t{h.last_offset_delta()} + 1;
        shape.last_offset = h.last_offset();
        shape.max_timestamp = std::max(shape.max_timestamp, h.max_timestamp());
        pos += record::log_overhead + static_cast<size_t>(length);
    }
    return shape;
}

}  // namespace

result<append_result> log::append(std::span<uint8_t> batches, const append_info& info) {
    if (failed_) return errc::log_failed;
    auto shape = shape_of(batches);
    if (!shape) return shape.error();
    if (batches.size() > config_.segment_bytes) return errc::record_list_too_large;

    const int64_t first = info.assign_offsets ? next_offset_ : shape->first_base;
    const int64_t last = info.assign_offsets ? first + shape->offsets - 1 : shape->last_offset;
    if (!info.assign_offsets && first < next_offset_) return errc::invalid_batches;
    const int64_t max_ts = info.log_append_time ? info.now_ms : shape->max_timestamp;

    // Idempotent producers and transactions, checked before anything is written (Kafka's
    // analyzeAndValidateProducerState). A client's retry of a batch already in the log is
    // answered with that batch's offsets.
    const append_origin origin = !info.assign_offsets ? append_origin::replication
                                 : info.from_coordinator ? append_origin::coordinator
                                                         : append_origin::client;
    producer_append producers(producers_, origin);
    {
        int64_t offset = first;
        size_t pos = 0;
        while (pos < batches.size()) {
            record::batch_view b(batches.data() + pos, batches.size() - pos);
            if (origin == append_origin::client && !b.is_control()) {
                if (const producer_batch* dup = producers_.find_duplicate(b)) {
                    append_result r{dup->first_offset(), dup->last_offset, dup->timestamp,
                                    log_start_offset_};
                    r.duplicate = true;
                    return r;
                }
            }
            // KIP-890: a client's batch may open a transaction here only with the guard
            // the coordinator's confirmation was asked under (Kafka's
            // batchMissingRequiredVerification).
            if (origin == append_origin::client && config_.transaction_verification &&
                b.is_transactional() && !b.is_control() && !producers_.has_ongoing_txn(b.producer_id()) &&
                (info.verification_guard == 0 ||
                 producers_.verification_guard(b.producer_id()) != info.verification_guard)) {
                return errc::invalid_txn_state;
            }
            const int64_t base = info.assign_offsets ? offset : b.base_offset();
            producer_error error = producer_error::none;
            if (!b.is_control()) {
                error = producers.add(b, base);
            } else if (auto marker = record::read_marker(b)) {
                // Only the transaction coordinator writes markers; replicas copy them.
                if (origin == append_origin::client) return errc::invalid_batches;
                error = producers.add_marker(b, *marker, base);
            }
            // Other control batches (KRaft's LeaderChange, snapshot header and footer in
            // the metadata log) carry no producer state. Clients never get here with one:
            // Produce validation refuses every control batch.
            switch (error) {
            case producer_error::none: break;
            case producer_error::out_of_order_sequence: return errc::out_of_order_sequence;
            case producer_error::invalid_producer_epoch: return errc::invalid_producer_epoch;
            case producer_error::invalid_txn_state: return errc::invalid_txn_state;
            case producer_error::coordinator_fenced: return errc::coordinator_fenced;
            }
            offset += int64_t{b.last_offset_delta()} + 1;
            pos += record::log_overhead + static_cast<size_t>(b.batch_length());
        }
    }

    if (active().should_roll({config_.segment_bytes, config_.segment_ms, info.now_ms,
                              batches.size(), max_ts, last})) {
        if (auto ec = roll_at(first, info.now_ms)) return ec;
    }
    // Stamp the broker-owned header fields in place.
    int64_t offset = first;
    size_t pos = 0;
    while (pos < batches.size()) {
        record::batch_view peek(batches.data() + pos, batches.size() - pos);
        const size_t size = record::log_overhead + static_cast<size_t>(peek.batch_length());
        record::mutable_batch_view b(batches.data() + pos, size);
        if (info.assign_offsets) {
            b.set_base_offset(offset);
            offset += int64_t{b.last_offset_delta()} + 1;
        }
        if (info.leader_epoch) b.set_partition_leader_epoch(*info.leader_epoch);
        if (info.log_append_time) {
            b.set_max_timestamp(record::timestamp_type::log_append_time, info.now_ms);
        }
        pos += size;
    }

    if (auto ec = active().append(batches)) {
        failed_ = active().broken();
        if (failed_) {
            get_logger("storage")->error("log {}: append failed and could not be undone ({}); "
                                         "refusing further appends", dir_, ec.message());
            return errc::log_failed;
        }
        get_logger("storage")->warn("log {}: append of {} bytes failed: {}", dir_, batches.size(),
                                    ec.message());
        return ec;
    }
    next_offset_ = active().next_offset();
    if (auto ec = complete_txns(producers_.commit(std::move(producers), next_offset_))) return ec;

    // A leader epoch starts at the first batch written in it.
    pos = 0;
    while (pos < batches.size()) {
        record::batch_view b(batches.data() + pos, batches.size() - pos);
        const int32_t epoch = b.partition_leader_epoch();
        if (epoch >= 0) {
            if (auto ec = epochs_.assign(epoch, b.base_offset())) return ec;
        }
        pos += record::log_overhead + static_cast<size_t>(b.batch_length());
    }

    if (next_offset_ - recovery_point_ >= config_.flush_messages) {
        if (auto ec = flush(next_offset_)) return ec;
    }
    return append_result{first, last, info.log_append_time ? info.now_ms : -1, log_start_offset_};
}

void log::update_config(const log_config& config) {
    config_ = config;
    producers_.set_expiration_ms(config_.producer_id_expiration_ms);
    active().set_index_interval_bytes(config_.index_interval_bytes);
}

std::error_code log::roll(int64_t now_ms) { return roll_at(next_offset_, now_ms); }

std::error_code log::roll_at(int64_t base, int64_t now_ms) {
    const bool replace_empty = active().empty();
    if (replace_empty && active().base_offset() == base) return {};
    if (!replace_empty) {
        if (auto ec = active().on_become_inactive()) return ec;
    }
    auto seg = segment::create(*fs_, dir_, base, segment_opts(), now_ms);
    if (!seg) return seg.error();
    if (replace_empty) {
        // Only a follower append past a gap gets here: the empty active segment is
        // replaced by one named after the offset the data really starts at.
        if (auto ec = delete_segment(std::prev(segments_.end()))) return ec;
    }
    segments_.emplace(base, std::move(*seg));
    dir_dirty_ = true;
    if (auto ec = raise_log_start(segments_.begin()->first)) return ec;
    // A snapshot at every segment start bounds what a restart must rescan (Kafka's roll
    // takes one too).
    producers_.set_map_end_offset(base);
    if (auto ec = write_producer_snapshot()) return ec;
    // Kafka flushes the rolled segment right after a roll: it will not change again.
    return flush(base);
}

std::error_code log::flush(int64_t up_to) {
    up_to = std::min(up_to, next_offset_);
    if (up_to > recovery_point_) {
        for (auto it = segments_.begin(); it != segments_.end(); ++it) {
            auto next = std::next(it);
            const int64_t end = next == segments_.end() ? next_offset_ : next->first;
            if (it->first >= up_to) break;
            if (end <= recovery_point_ && next != segments_.end()) continue;
            if (auto ec = it->second->sync()) return ec;
        }
    }
    if (dir_dirty_) {
        if (auto ec = fs_->sync_directory(dir_)) return ec;
        dir_dirty_ = false;
    }
    recovery_point_ = std::max(recovery_point_, up_to);
    return {};
}

bool log::append_may_sync(size_t bytes, int64_t now_ms) const {
    constexpr int64_t never = std::numeric_limits<int64_t>::max();
    if (config_.flush_messages != never || config_.flush_ms != never) return true;
    // One offset per byte bounds the records `bytes` can hold from above.
    const int64_t last = next_offset_ + static_cast<int64_t>(bytes);
    return active().should_roll({config_.segment_bytes, config_.segment_ms, now_ms, bytes, now_ms, last});
}

std::error_code log::maybe_flush(int64_t now_ms) {
    if (now_ms - last_flush_ms_ < config_.flush_ms) return {};
    last_flush_ms_ = now_ms;
    return flush(next_offset_);
}

std::error_code log::truncate_to(int64_t offset, int64_t now_ms) {
    if (offset >= next_offset_) return {};
    if (offset < segments_.begin()->first) return truncate_fully_and_start_at(offset, now_ms);
    while (segments_.rbegin()->first > offset) {
        if (auto ec = delete_segment(std::prev(segments_.end()))) return ec;
    }
    auto removed = active().truncate_to(offset);
    if (!removed) return removed.error();
    // Make the cut durable: after a power loss the removed (diverged) batches must not
    // come back looking valid.
    if (auto ec = active().sync()) return ec;
    next_offset_ = active().next_offset();
    // Epochs are cut at the new end: a batch straddling `offset` went too.
    if (auto ec = epochs_.truncate_from_end(next_offset_)) return ec;
    recovery_point_ = std::min(recovery_point_, next_offset_);
    log_start_offset_ = std::min(log_start_offset_, next_offset_);
    first_dirty_offset_ = std::min(first_dirty_offset_, next_offset_);
    // The producers' state forgets the removed batches: rebuilt from a snapshot below the
    // cut. The cut is at or below the high watermark, so no ended transaction is
    // unreplicated any more (Kafka's truncateAndReload).
    unreplicated_txns_.clear();
    if (auto ec = remove_producer_snapshots(segments_.begin()->first, next_offset_)) return ec;
    return rebuild_producer_state(next_offset_, now_ms, /*clean_shutdown=*/false);
}

std::error_code log::truncate_fully_and_start_at(int64_t offset, int64_t now_ms) {
    if (auto ec = epochs_.clear()) return ec;
    while (!segments_.empty()) {
        if (auto ec = segments_.rbegin()->second->remove_files()) return ec;
        segments_.erase(std::prev(segments_.end()));
    }
    auto seg = segment::create(*fs_, dir_, offset, segment_opts(), now_ms);
    if (!seg) return seg.error();
    segments_.emplace(offset, std::move(*seg));
    dir_dirty_ = true;
    next_offset_ = offset;
    log_start_offset_ = offset;
    recovery_point_ = offset;
    first_dirty_offset_ = offset;
    producers_.clear();
    unreplicated_txns_.clear();
    producers_.set_map_end_offset(offset);
    if (auto ec = remove_producer_snapshots(offset, -1)) return ec;
    return flush(offset);
}

std::error_code log::close() {
    if (auto ec = active().on_become_inactive()) return ec;
    // The state at the end: the next open reads it instead of scanning.
    producers_.set_map_end_offset(next_offset_);
    if (auto ec = write_producer_snapshot()) return ec;
    if (auto ec = flush(next_offset_)) return ec;
    return active().sync();
}

segment_options log::segment_opts() const {
    segment_options o{config_.index_interval_bytes, config_.segment_index_bytes};
    o.max_bytes = config_.segment_bytes;
    if (config_.preallocate) o.preallocate_bytes = config_.segment_bytes;
    const int64_t bound = std::min(config_.segment_jitter_ms, config_.segment_ms);
    if (bound > 0) {
        static thread_local std::mt19937_64 rng{std::random_device{}()};
        o.roll_jitter_ms = static_cast<int64_t>(rng() % static_cast<uint64_t>(bound));
    }
    return o;
}

std::error_code log::retire_segment(std::map<int64_t, std::unique_ptr<segment>>::iterator it) {
    auto ec = it->second->rename_files_deleted(retired_files_);
    segments_.erase(it);
    dir_dirty_ = true;
    return ec;
}

std::error_code log::delete_segment(std::map<int64_t, std::unique_ptr<segment>>::iterator it) {
    auto ec = it->second->remove_files();
    segments_.erase(it);
    dir_dirty_ = true;
    return ec;
}

std::error_code log::start_leader_epoch(int32_t epoch) {
    const auto latest = epochs_.latest_epoch();
    if (epoch < 0 || (latest && epoch <= *latest)) return {};
    return epochs_.assign(epoch, next_offset_);
}

}  // namespace eddy::log
