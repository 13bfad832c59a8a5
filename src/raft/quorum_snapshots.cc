// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The quorum's snapshots: which one start-up resumes from, writing new ones, and dropping
// what a new one makes redundant (older snapshots, log segments below them).
#include "log/errc.h"
#include "raft/logger.h"
#include "raft/quorum.h"

#include <fmt/format.h>

#include <algorithm>

namespace eddy::raft {
namespace {

// The newest snapshot and the one before it: when the newest turns out damaged at the
// next start, the older one and the log after it still rebuild the state.
constexpr size_t kept_snapshots = 2;

}  // namespace

std::error_code quorum::load_snapshot(int64_t now_ms) {
    while (!snapshots_.empty()) {
        const snapshot_id id = snapshots_.back();
        std::string why;
        auto read = read_snapshot(*fs_, dir_, id, why);
        if (!read && read.error() != log::errc::corrupt_checkpoint) {
            // Not known to be damaged (an I/O error): stop rather than drop it.
            last_error_ = fmt::format("cannot read snapshot {}", snapshot_file_name(id));
            return read.error();
        }
        if (read && id.end_offset < log_->earliest()) {
            why = fmt::format("it ends at {}, before the log's start {}", id.end_offset,
                              log_->earliest());
        } else if (read) {
            if (id.end_offset > log_->latest()) {
                // The log lost what the snapshot covers (Kafka truncates fully here too).
                raft_log().warn(
                    "[raft {}] snapshot {} is past the log end {}; restarting the "
                    "log at its end offset",
                    dir_, snapshot_file_name(id), log_->latest());
                if (auto ec = log_->truncate_fully_and_start_at(id.end_offset, now_ms)) return ec;
            }
            next_delivery_ = id.end_offset;
            delivered_ = {id.end_offset, id.epoch, read->last_contained_log_timestamp};
            raft_log().info("[raft {}] loading snapshot {} ({} records, {} bytes)", dir_,
                            snapshot_file_name(id), read->records.size(), read->size_bytes);
            loaded_snapshot_ = std::move(*read);
            return {};
        }
        raft_log().warn("[raft {}] ignoring and deleting snapshot {}: {}", dir_,
                        snapshot_file_name(id), why);
        if (auto ec = delete_snapshot(*fs_, dir_, id)) return ec;
        snapshots_.pop_back();
    }
    if (log_->earliest() > 0) {
        last_error_ = fmt::format(
            "the metadata log starts at offset {} and no valid snapshot "
            "holds the state before it",
            log_->earliest());
        return log::errc::corrupt_checkpoint;
    }
    next_delivery_ = log_->earliest();
    return {};
}

log::result<std::optional<snapshot_writer>> quorum::create_snapshot(
    snapshot_id id, int64_t last_contained_log_timestamp, int64_t now_ms) {
    if (!log_ || id.end_offset <= 0 || id.end_offset > high_watermark_) {
        return std::make_error_code(std::errc::invalid_argument);
    }
    if (!snapshots_.empty() && snapshots_.back().end_offset >= id.end_offset) {
        return std::optional<snapshot_writer>();
    }
    auto w = snapshot_writer::create(*fs_, dir_, id, last_contained_log_timestamp, now_ms);
    if (!w) {
        last_error_ = fmt::format("cannot create snapshot {}", snapshot_file_name(id));
        return w.error();
    }
    return std::optional<snapshot_writer>(std::move(*w));
}

std::error_code quorum::finish_snapshot(snapshot_writer& writer, int64_t now_ms) {
    auto size = writer.freeze(now_ms);
    if (!size) {
        last_error_ = fmt::format("cannot write snapshot {}", snapshot_file_name(writer.id()));
        return size.error();
    }
    snapshots_.push_back(writer.id());
    std::sort(snapshots_.begin(), snapshots_.end());
    raft_log().info("[raft {}] wrote snapshot {} ({} bytes)", dir_, snapshot_file_name(writer.id()),
                    *size);
    return remove_old_snapshots(now_ms);
}

std::error_code quorum::remove_old_snapshots(int64_t now_ms) {
    while (snapshots_.size() > kept_snapshots) {
        if (auto ec = delete_snapshot(*fs_, dir_, snapshots_.front())) return ec;
        snapshots_.erase(snapshots_.begin());
    }
    if (snapshots_.size() < kept_snapshots) return {};
    // Kafka's deleteBeforeSnapshot: the log start moves up to the oldest kept snapshot and
    // segments wholly below it go; the segment holding that offset stays.
    auto start =
        log_->delete_records_before(snapshots_.front().end_offset, high_watermark_, now_ms);
    if (!start) {
        last_error_ = "cannot delete metadata log segments below the oldest snapshot";
        return start.error();
    }
    return {};
}

}  // namespace eddy::raft
