// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One partition replica this broker leads: its log, high watermark, leader epoch, topic
// settings and the fetches waiting for its next append.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio.hpp>

#include "cluster/fetch_waiter.h"
#include "cluster/topic_settings.h"
#include "eddy/codec/types.h"
#include "eddy/error_code.h"
#include "log/log.h"
#include "record/compression.h"
#include "record/control_record.h"
#include "record/recompress.h"
#include "record/validate.h"

namespace eddy::cluster {

struct produce_outcome {
    error_code error = error_code::none;
    std::string error_message;
    std::vector<record::record_error> record_errors;
    int64_t base_offset = -1;
    int64_t log_append_time = -1;
    int64_t log_start_offset = -1;
    // Not appended yet: a client's transactional batch that would open its producer's
    // transaction here. Ask the transaction coordinator whether the partition is in the
    // transaction, then append again with this guard (KIP-890 verification).
    uint64_t verification_guard = 0;
};

struct read_outcome {
    error_code error = error_code::none;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    std::vector<log::file_slice> slices;
    uint64_t bytes = 0;
    // read_committed only: the aborted transactions overlapping what was read (Fetch
    // answers them as AbortedTransactions; the handler sends null for read_uncommitted).
    std::vector<log::aborted_txn> aborted_transactions;
    // Fetch v12+: where this log diverges from the fetcher's, when it does (epoch >= 0):
    // this log's last epoch at or below the fetcher's last fetched epoch is an older one,
    // or it ends before the fetch offset. Nothing is read then.
    int32_t diverging_epoch = -1;
    int64_t diverging_end_offset = -1;
    bool diverges() const { return diverging_epoch >= 0; }
    // Kafka's DelayedFetch answers at once, whatever min_bytes asks, when the fetch offset
    // is past what this isolation level may read (a read_committed fetch above the last
    // stable offset) or in an older segment than that bound (its "case F").
    bool answer_at_once = false;
};

// What the partition answers ListOffsets with: offset -1 / timestamp -1 when none.
struct offset_outcome {
    error_code error = error_code::none;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
};

// Lives on: its executor (a strand of the replica manager's pool). Every method below
// must be called there. The strand runs on the pool, except that produce and fetch run
// it on the network thread that asks when it is idle (caller_runs_executor.h), and then
// only for work that stays in memory: buffered writes and reads of the page cache. What
// may fsync goes to the pool. Only the immutable identity fields may be read elsewhere.
class partition {
public:
    // fs: the one the log was opened with; retired segment files are removed through it.
    // fetch_waits_ended: the replica manager's flag, set when the broker stops (see
    // add_waiter); null in tests that never stop.
    partition(asio::any_io_executor executor, std::string topic, codec::uuid topic_id,
              int32_t index, std::string log_dir, std::shared_ptr<log::filesystem> fs,
              std::shared_ptr<const std::atomic<bool>> fetch_waits_ended = nullptr);

    const asio::any_io_executor& executor() const { return executor_; }
    const std::string& topic() const { return topic_; }
    const codec::uuid& topic_id() const { return topic_id_; }
    int32_t index() const { return index_; }
    const std::string& log_dir() const { return log_dir_; }

    // --- owner executor only ---
    void attach(std::unique_ptr<log::log> l) {
        log_ = std::move(l);
        deleted_ = false;
    }
    log::log* get_log() { return log_.get(); }
    // The partition left this broker (its log closed already): led elsewhere now, or its
    // topic deleted. Fetches waiting on it are answered at once, as Kafka completes them
    // when a partition stops, with NOT_LEADER_OR_FOLLOWER, or UNKNOWN_TOPIC_OR_PARTITION
    // for a deleted topic (what Kafka's readFromLog finds then).
    void stop_leading(bool topic_deleted);
    // Leader epoch, ISR size, replica count and settings from the latest metadata image.
    // New settings apply from the next append, roll, flush or retention check.
    void update(int32_t leader_epoch, size_t isr_size, size_t replica_count, topic_settings settings);
    int32_t leader_epoch() const { return leader_epoch_; }
    const topic_settings& settings() const { return settings_; }

    // Validates and appends one Produce partition's records (rewritten in place). A
    // transactional batch that would open its producer's transaction is first answered
    // with a verification guard and not appended (produce_outcome::verification_guard);
    // `verification_guard` is that guard once the coordinator confirmed the partition.
    produce_outcome append(std::span<uint8_t> records, int16_t api_version, int16_t acks,
                           int64_t now_ms, uint64_t verification_guard = 0) {
        return append(records, api_version, acks, now_ms, false, verification_guard);
    }
    // Whether appending `bytes` now could fsync (log::append_may_sync); true without a log,
    // whose error answer is not worth a guess.
    bool append_may_sync(size_t bytes, int64_t now_ms) const {
        return !log_ || log_->append_may_sync(bytes, now_ms);
    }
    // A failed append's answer: the error, and the log start offset as Kafka gives it
    // with that error. Needs the log.
    produce_outcome failed_append(error_code e) const;
    // A coordinator's own batch (__consumer_offsets, __transaction_state), with acks=all:
    // validated like a Produce v9 batch, but a transactional one (TxnOffsetCommit) has its
    // producer epoch checked and no sequence, as Kafka's coordinator origin is.
    produce_outcome append_from_coordinator(std::span<uint8_t> batch, int64_t now_ms) {
        return append(batch, coordinator_api_version, -1, now_ms, true, 0);
    }
    // Reads from `offset` up to the high watermark, or with `read_committed` up to the
    // last stable offset, listing the aborted transactions in the range read. With
    // `last_fetched_epoch` (>= 0, Fetch v12+), first checks the fetcher's log against this
    // one, as Kafka's Partition.readRecords does.
    read_outcome read(int64_t offset, uint32_t max_bytes, bool min_one_batch,
                      bool read_committed = false, int32_t last_fetched_epoch = -1);
    // Appends the control batch that ends `marker`'s transaction here (WriteTxnMarkers),
    // with acks=all, and wakes the fetches parked here (the last stable offset moved).
    // INVALID_PRODUCER_EPOCH for a marker older than the producer's epoch,
    // TRANSACTION_COORDINATOR_FENCED for one from an older coordinator epoch,
    // NOT_LEADER_OR_FOLLOWER when the log is gone.
    error_code write_marker(const record::txn_marker& marker, int64_t now_ms);
    // ListOffsets: -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, else by time.
    // Latest is the high watermark, or with `read_committed` the last stable offset; a
    // max-timestamp or by-time answer at or beyond that bound is none (Kafka's
    // lastFetchableOffset). Earliest is never bounded.
    offset_outcome offset_for(int64_t timestamp, bool read_committed = false);
    // DeleteRecords: offset -1 means the high watermark.
    std::pair<error_code, int64_t> delete_records(int64_t offset, int64_t now_ms);
    // Checks a client's current leader epoch (-1 = not given), as Kafka's leader does: any
    // other epoch below the leader's is FENCED_LEADER_EPOCH (ListOffsets, OffsetForLeaderEpoch).
    error_code check_epoch(int32_t current_leader_epoch) const;
    int64_t high_watermark() const { return log_ ? log_->latest() : 0; }
    // The high watermark, or the first offset of an earlier transaction not yet decided
    // (log::last_stable_offset); 0 without a log.
    int64_t last_stable_offset();

    // Registers a fetch to wake at the next append or marker. False, registering nothing,
    // once the broker is stopping: the fetch is to answer with what it has.
    [[nodiscard]] bool add_waiter(std::weak_ptr<fetch_waiter> w);
    // Wakes every fetch parked here (the broker is stopping).
    void wake_fetches() { wake_waiters(); }
    // Fetches parked here that have not ended (tests, metrics).
    size_t waiting_fetches() const;
    // Kafka's retention pass: the log start offset always, retention.ms and
    // retention.bytes when cleanup.policy has delete. A no-op once the log is gone.
    void apply_retention(int64_t now_ms);
    // A compacted topic's cleaning pass (log::clean) with the topic's settings and a key
    // map of at most `map_bytes`; a no-op for other topics and once the log is gone.
    void clean(int64_t now_ms, uint64_t map_bytes);
    // flush.ms: flushes the log when that long has passed since its last flush.
    void maybe_flush(int64_t now_ms);
    // producer.id.expiration.ms (housekeeping).
    void remove_expired_producers(int64_t now_ms);

private:
    // Schedules the removal of the files the log's last retention or DeleteRecords pass
    // renamed .deleted, after file.delete.delay.ms.
    void remove_retired_files_later();
    // The Produce version the coordinators' own batches are validated as: magic 2, every
    // codec allowed.
    static constexpr int16_t coordinator_api_version = 9;

    produce_outcome append(std::span<uint8_t> records, int16_t api_version, int16_t acks,
                           int64_t now_ms, bool from_coordinator, uint64_t verification_guard);
    // compression.type is set (not `producer`): rebuilds `batch` (validated as `v`) in the
    // topic's codec when Kafka would, pointing `batch` at the rebuilt bytes; an error
    // when the codec fails or the rebuilt batch is over max.message.bytes.
    error_code recompress(std::span<uint8_t>& batch, record::produce_validation& v,
                          const record::byte_buffer& scratch, record::batch_recompressor& recompressor);
    void wake_waiters();
    // acks=all appends are refused while the ISR is smaller than min.insync.replicas.
    bool below_min_isr() const;

    asio::any_io_executor executor_;
    std::string topic_;
    codec::uuid topic_id_;
    int32_t index_;
    std::string log_dir_;
    std::shared_ptr<log::filesystem> fs_;
    std::unique_ptr<log::log> log_;
    bool deleted_ = false;
    int32_t leader_epoch_ = 0;
    size_t isr_size_ = 1;
    size_t replica_count_ = 1;
    topic_settings settings_;
    std::vector<std::weak_ptr<fetch_waiter>> waiters_;
    std::shared_ptr<const std::atomic<bool>> fetch_waits_ended_;
};

}  // namespace eddy::cluster
