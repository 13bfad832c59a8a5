// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/quorum.h"

#include "log/errc.h"
#include "raft/batch_codec.h"
#include "raft/logger.h"

#include <fmt/format.h>

#include <algorithm>

namespace eddy::raft {
namespace {

// Upper bound of one read while delivering; a batch larger than this is still read whole.
constexpr uint32_t delivery_read_bytes = 1 << 20;

}  // namespace

quorum::quorum(log::filesystem& fs, quorum_options options)
    : fs_(&fs),
      options_(std::move(options)),
      dir_(log::join_path(options_.log_dir, std::string(metadata_partition_dir))) {
    if (options_.voters.empty()) options_.voters.push_back(options_.node_id);
}

std::error_code quorum::start(int64_t now_ms) {
    if (options_.voters != std::vector<int32_t>{options_.node_id}) {
        last_error_ = "only a single-voter quorum of this node is supported";
        return std::make_error_code(std::errc::not_supported);
    }
    if (auto ec = fs_->create_directories(dir_)) return ec;
    auto stored = read_quorum_state(*fs_, dir_);
    if (!stored) {
        last_error_ = fmt::format("{}/quorum-state does not parse", dir_);
        return stored.error();
    }
    if (*stored) state_ = **stored;
    // Before the log opens: leftovers of an interrupted snapshot write go first.
    auto ids = load_snapshot_ids(*fs_, dir_);
    if (!ids) {
        last_error_ = fmt::format("cannot list the snapshots in {}", dir_);
        return ids.error();
    }
    snapshots_ = std::move(*ids);

    log::open_options open;
    open.now_ms = now_ms;
    open.recovery_point = 0;  // small log: validate every batch at every start
    auto opened = log::log::open(*fs_, dir_, options_.log_config, open);
    if (!opened) {
        last_error_ = fmt::format("cannot open {}", dir_);
        return opened.error();
    }
    log_ = std::move(*opened);
    if (!log_->last_recovery().reason.empty()) {
        raft_log().warn("[raft {}] cut {} bytes from the metadata log tail: {}", dir_,
                        log_->last_recovery().bytes_truncated, log_->last_recovery().reason);
    }
    if (auto ec = load_snapshot(now_ms)) return ec;
    return become_leader(now_ms);
}

std::error_code quorum::become_leader(int64_t now_ms) {
    // The log may hold nothing of the snapshot's epoch (its segments were deleted).
    const int32_t last_epoch = std::max(
        {state_.leader_epoch, log_->epochs().latest_epoch().value_or(0), delivered_.epoch});
    // A single voter is candidate (voting for itself) and leader in one step.
    election_state next;
    next.leader_epoch = last_epoch + 1;
    next.leader_id = options_.node_id;
    next.voted_id = options_.node_id;
    next.voters = options_.voters;
    if (auto ec = write_quorum_state(*fs_, dir_, next)) {
        last_error_ = "cannot write quorum-state";
        return ec;
    }
    state_ = next;

    msg::leader_change_message change;
    change.version = leader_change_version;
    change.leader_id = options_.node_id;
    for (int32_t v : options_.voters) {
        msg::leader_change_message::voter voter;
        voter.voter_id = v;
        change.voters.push_back(voter);
        change.granting_voters.push_back(voter);
    }
    std::vector<uint8_t> batch =
        encode_leader_change_batch({0, state_.leader_epoch, now_ms, true}, change);
    if (auto ec = append_batch(batch, now_ms)) return ec;
    raft_log().info("[raft {}] node {} is leader of epoch {}; log end {}", dir_, options_.node_id,
                    state_.leader_epoch, log_->latest());
    return {};
}

std::error_code quorum::append_batch(std::vector<uint8_t>& batch, int64_t now_ms) {
    log::append_info info;
    info.now_ms = now_ms;
    info.leader_epoch = state_.leader_epoch;
    auto appended = log_->append(batch, info);
    if (!appended) {
        last_error_ = "metadata log append failed";
        return appended.error();
    }
    // Committed means durable on the majority; with one voter that is this flush.
    if (auto ec = log_->flush(log_->latest())) {
        last_error_ = "metadata log flush failed";
        return ec;
    }
    high_watermark_ = log_->latest();
    return {};
}

log::result<append_offsets> quorum::append(std::span<const std::vector<uint8_t>> records,
                                           int64_t now_ms) {
    if (!is_leader() || !log_ || records.empty())
        return std::make_error_code(std::errc::invalid_argument);
    const int64_t base = log_->latest();
    std::vector<uint8_t> batch =
        encode_data_batch({0, state_.leader_epoch, now_ms, false}, records);
    if (auto ec = append_batch(batch, now_ms)) return ec;
    return append_offsets{base, log_->latest() - 1};
}

std::error_code quorum::poll(int64_t /*now_ms*/, raft_listener& listener) {
    if (loaded_snapshot_) {
        listener.handle_snapshot(*loaded_snapshot_);
        loaded_snapshot_.reset();
    }
    while (log_ && next_delivery_ < high_watermark_) {
        auto read = log_->read(next_delivery_, delivery_read_bytes, high_watermark_, true);
        if (!read) {
            last_error_ = fmt::format("cannot read the metadata log at {}", next_delivery_);
            return read.error();
        }
        std::vector<uint8_t> bytes;
        for (const log::file_slice& s : read->slices) {
            const size_t at = bytes.size();
            bytes.resize(at + s.length);
            if (auto ec = log::read_exact(*s.log_file, s.position,
                                          std::span(bytes.data() + at, s.length))) {
                return ec;
            }
        }
        if (bytes.empty()) break;
        const int64_t before = next_delivery_;
        if (auto ec = deliver_from(bytes, listener)) return ec;
        if (next_delivery_ == before) {
            last_error_ = fmt::format("no whole batch at offset {}", before);
            return log::errc::invalid_batches;
        }
    }
    return {};
}

std::error_code quorum::deliver_from(std::span<const uint8_t> bytes, raft_listener& listener) {
    record::batch_scanner scanner(bytes.data(), bytes.size());
    record::batch_view view;
    while (scanner.next(view) == record::scan_status::ok) {
        if (view.base_offset() >= high_watermark_) break;
        if (view.last_offset() < next_delivery_) continue;
        std::string error;
        std::optional<decoded_batch> batch = decode_batch(view, error);
        if (!batch) {
            last_error_ = fmt::format("batch at offset {}: {}", view.base_offset(), error);
            return log::errc::invalid_batches;
        }
        if (!batch->control) {
            committed_batch c;
            c.base_offset = batch->base_offset;
            c.last_offset = batch->last_offset;
            c.epoch = batch->leader_epoch;
            c.append_time_ms = batch->max_timestamp;
            c.size_bytes = view.size();
            c.records.reserve(batch->records.size());
            for (raw_record& r : batch->records) c.records.push_back(std::move(r.value));
            listener.handle_commit(c);
        }
        next_delivery_ = batch->last_offset + 1;
        delivered_ = {next_delivery_, batch->leader_epoch, batch->max_timestamp};
    }
    return {};
}

std::error_code quorum::close() {
    if (!log_) return {};
    std::error_code ec = log_->close();
    log_.reset();
    return ec;
}

}  // namespace eddy::raft
