// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A partition's log: the `<topic>-<partition>/` directory of segments, in Kafka's layout.
// Formats: src/log/segment_format.md, index_format.md, txn_index_format.md,
// checkpoint_format.md, producer_snapshot_format.md.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "log/filesystem.h"
#include "log/leader_epoch_cache.h"
#include "log/log_config.h"
#include "log/producer_state.h"
#include "log/segment.h"

namespace eddy::log {

// What the broker read from the log directory's checkpoints before opening the log.
struct open_options {
    int64_t recovery_point = 0;    // recovery-point-offset-checkpoint
    int64_t log_start_offset = 0;  // log-start-offset-checkpoint
    bool clean_shutdown = false;   // the log directory had .kafka_cleanshutdown
    int64_t now_ms = 0;
};

// What open() found and repaired (also logged at warn when anything was cut).
struct recovery_report {
    size_t segments_scanned = 0;   // segments whose every batch was validated
    size_t segments_deleted = 0;   // segments after the first bad batch, removed
    uint64_t bytes_truncated = 0;  // invalid or incomplete bytes cut from the tail
    std::string reason;            // why the first cut happened, empty when none did
};

struct append_info {
    int64_t now_ms = 0;
    // Transaction markers (control batches) come only from the transaction coordinator's
    // WriteTxnMarkers; a client append never carries one (the caller's validation refuses it).
    bool from_coordinator = false;
    // Leader appends stamp each batch's partitionLeaderEpoch (outside the CRC).
    std::optional<int32_t> leader_epoch = std::nullopt;
    // message.timestamp.type=LogAppendTime: each batch gets maxTimestamp = now_ms and the
    // timestamp-type bit, and a recomputed CRC.
    bool log_append_time = false;
    // Leader appends assign offsets from latest(); follower appends keep the leader's,
    // which must start at or after latest().
    bool assign_offsets = true;
    // The guard start_txn_verification() gave for the client's transaction, once the
    // coordinator confirmed it; 0 when none was needed.
    uint64_t verification_guard = 0;
};

struct append_result {
    int64_t first_offset = 0;
    int64_t last_offset = 0;
    int64_t log_append_time = -1;  // now_ms when log_append_time was applied, else -1
    int64_t log_start_offset = 0;
    // The batch was a retry of one already in the log (same producer, epoch and
    // sequences): nothing was written, the offsets are the original ones.
    bool duplicate = false;
};

// A byte range of a segment's .log file: send it with sendfile(2) on
// file->native_handle(), or file->read_at() where bytes are needed (TLS). The shared
// handle keeps the file readable even if the segment is deleted meanwhile.
struct file_slice {
    std::shared_ptr<file> log_file;
    uint64_t position = 0;
    uint32_t length = 0;
};

// One aborted transaction a read_committed fetch must tell the client about (Kafka's
// FetchResponse AbortedTransaction): the client drops that producer's records from
// first_offset up to its abort marker.
struct aborted_txn {
    int64_t producer_id = -1;
    int64_t first_offset = -1;
    bool operator==(const aborted_txn&) const = default;
};

struct read_result {
    std::vector<file_slice> slices;  // consecutive in offset order
    uint64_t bytes = 0;
};

struct timestamp_offset {
    int64_t timestamp;
    int64_t offset;
};

// What one cleaning pass of a compacted log weighs (log_clean.cc): the topic's
// min.cleanable.dirty.ratio, min.compaction.lag.ms and max.compaction.lag.ms, and the
// broker's log.cleaner.dedupe.buffer.size.
struct clean_options {
    int64_t now_ms = 0;
    double min_cleanable_ratio = 0.5;
    int64_t min_compaction_lag_ms = 0;
    int64_t max_compaction_lag_ms = INT64_MAX;
    uint64_t offset_map_bytes = 128u << 20;
    int64_t high_watermark = INT64_MAX;
};

struct clean_result {
    bool cleaned = false;  // the dirty segments were mapped and everything below written again
    size_t segments_rewritten = 0;  // segments that lost records
    uint64_t bytes_before = 0;      // their sizes before and after
    uint64_t bytes_after = 0;
    int64_t records_removed = 0;
    int64_t first_dirty_offset = 0;  // where the next pass starts mapping keys
};

struct retention_result {
    size_t segments_deleted = 0;
    uint64_t bytes_deleted = 0;
    int64_t log_start_offset = 0;
};

// Lives on: the partition's executor (no internal locking; the broker calls it from its
// storage executor, since every method may block on file I/O). Errors are returned,
// never thrown: std::errc values from the file layer, or log::errc.
class log {
public:
    // Opens (creating if needed) the partition directory `dir`. Segments from the one
    // holding `recovery_point` onwards are validated batch by batch unless the shutdown
    // was clean; any segment with a missing or corrupt index is validated and re-indexed
    // regardless. The log is cut at the first invalid or incomplete batch and later
    // segments are deleted (Kafka's LogLoader).
    static result<std::unique_ptr<log>> open(filesystem& fs, std::string dir, log_config config,
                                             const open_options& opts);

    // Appends whole magic-2 batches (validated by the caller: CRC, sizes, records)
    // rewriting base offsets (and epoch / append time) in place in `batches`. Rolls first
    // when segment.bytes, segment.ms, a full index or the 32-bit relative offset demand
    // it. Leader appends (assign_offsets) check idempotent producers first: a retry of a
    // batch already in the log is answered with its offsets and not written again; a
    // sequence gap or an old epoch is refused (errc::out_of_order_sequence,
    // invalid_producer_epoch, invalid_txn_state). Transaction markers (control batches)
    // are taken only from the coordinator (from_coordinator; errc::invalid_batches from a
    // client) or a follower append; a marker with an older producer epoch than the
    // partition saw is refused with errc::invalid_producer_epoch, one from an older
    // coordinator epoch with errc::coordinator_fenced (nothing is written either way). A
    // marker ends its producer's open transaction; an abort is recorded in the active
    // segment's .txnindex. errc::record_list_too_large when the batches exceed
    // segment.bytes; errc::invalid_batches when they are not whole v2 batches. A failed
    // write leaves the log as it was, or, when it cannot be undone, refuses further appends
    // (errc::log_failed).
    result<append_result> append(std::span<uint8_t> batches, const append_info& info);

    // The file ranges holding offsets from the batch containing `offset`, up to
    // `max_bytes` and stopping before the batch holding `max_offset_exclusive` (the
    // high watermark). With `min_one_batch` the first batch is returned whole even when
    // larger than max_bytes. As in Kafka the last slice may end inside a batch (clients
    // drop a partial trailing batch). errc::offset_out_of_range when `offset` is below
    // earliest() or above latest().
    result<read_result> read(int64_t offset, uint32_t max_bytes, int64_t max_offset_exclusive,
                             bool min_one_batch);
    // The one batch holding `offset` in the segments kept, below the log start too (as
    // Kafka's ListOffsets MAX_TIMESTAMP reads a segment): nullopt when none holds it.
    result<std::optional<file_slice>> batch_holding(int64_t offset) const;
    // Whether `offset` lies in an earlier segment than `end` (offset < end, both in the
    // log): a consumer behind the active segment, or one the last roll left behind.
    bool in_earlier_segment(int64_t offset, int64_t end) const;

    // ListOffsets by time: the first batch holding an offset at or after `from` (and the
    // log start) whose max timestamp >= `timestamp`, as {that max timestamp, its first
    // such offset}; nullopt when none is. Batch granularity: records inside a batch are
    // not examined.
    result<std::optional<timestamp_offset>> offset_for_timestamp(int64_t timestamp,
                                                                 int64_t from = 0) const;
    // ListOffsets MAX_TIMESTAMP: the largest batch max timestamp and the last offset of
    // its batch; nullopt for a log without timestamps.
    std::optional<timestamp_offset> max_timestamp_offset() const;
    int64_t earliest() const { return log_start_offset_; }
    int64_t latest() const { return next_offset_; }

    // Kafka's retention pass: deletes whole oldest segments below `high_watermark` that
    // lie wholly before the log start offset, then while the log exceeds
    // `retention_bytes`, then while their newest timestamp is older than `retention_ms`
    // (-1 disables either). When every segment qualifies the active one is rolled first
    // so the log keeps an empty active segment. Advances the log start offset.
    result<retention_result> apply_retention(int64_t now_ms, int64_t retention_ms,
                                             int64_t retention_bytes, int64_t high_watermark);
    // DeleteRecords: moves the log start offset up to `offset` and deletes segments that
    // fall wholly before it. errc::offset_out_of_range when offset > high_watermark.
    // Returns the new log start offset (the low watermark).
    result<int64_t> delete_records_before(int64_t offset, int64_t high_watermark, int64_t now_ms);
    // The segments these two delete are not unlinked: their files are renamed with the
    // suffix .deleted, as Kafka does, and the owner removes them after the topic's
    // file.delete.delay.ms. Hands over (and forgets) the renamed paths; a restart before
    // their removal removes them on open.
    std::vector<std::string> take_retired_files() { return std::exchange(retired_files_, {}); }
    // Log compaction, Kafka's LogCleaner for this log (log_clean.cc). When the dirty
    // segments (from the first dirty offset up to the active segment, the first open
    // transaction, the high watermark and the first segment younger than
    // min.compaction.lag.ms) hold at least min_cleanable_ratio of the log's bytes, or the
    // oldest is older than max.compaction.lag.ms: maps each key of theirs to its last
    // offset, then writes every segment below them again without the records a later
    // offset of the same key replaces, and without records that have no key. Offsets,
    // transaction markers, aborted transactions' data and tombstones (null values) stay;
    // a producer's last batch stays even when emptied, so its state survives. A segment
    // that loses nothing is left as it is. The first dirty offset lives in memory only:
    // after a restart the whole log counts as dirty once.
    result<clean_result> clean(const clean_options& opts);
    // Followers: removes every batch with offsets >= `offset` (whole batches).
    std::error_code truncate_to(int64_t offset, int64_t now_ms);
    // Followers: empties the log and restarts it at `offset`.
    std::error_code truncate_fully_and_start_at(int64_t offset, int64_t now_ms);

    // Starts a new active segment at latest(), unless the active one is empty; fsyncs the
    // segment it replaces (as Kafka does after a roll).
    std::error_code roll(int64_t now_ms);
    // fsyncs the segments holding offsets below `up_to` and moves the recovery point there.
    std::error_code flush(int64_t up_to);
    // Whether appending `bytes` of batches stamped about now could fsync: flush.messages or
    // flush.ms is set, or the append would roll the segment (a roll flushes the old one and
    // writes a producer snapshot). A guess made before the batches are read, for deciding
    // where to run the append; the append itself decides exactly.
    bool append_may_sync(size_t bytes, int64_t now_ms) const;
    // Applies flush.ms: flushes everything when that long has passed since the last flush.
    std::error_code maybe_flush(int64_t now_ms);
    // Writes the final time index entry and flushes everything. The caller then records
    // recovery_point() and earliest() in the log directory's checkpoints and, once every
    // log there is closed, writes the clean-shutdown marker (checkpoint.h).
    std::error_code close();

    // Kafka's maybeAssignEpochStartOffset when this broker becomes leader: a newer leader
    // epoch starts at the log's end at once, before anything is appended in it, so
    // OffsetForLeaderEpoch and Fetch's LastFetchedEpoch can place it. Older or equal
    // epochs change nothing.
    std::error_code start_leader_epoch(int32_t epoch);

    // OffsetForLeaderEpoch: {epoch, end offset} (see leader_epoch_cache::end_offset_for).
    std::pair<int32_t, int64_t> end_offset_for_epoch(int32_t epoch) const {
        return epochs_.end_offset_for(epoch, next_offset_);
    }
    const leader_epoch_cache& epochs() const { return epochs_; }

    int64_t recovery_point() const { return recovery_point_; }
    uint64_t size_bytes() const;
    size_t segment_count() const { return segments_.size(); }
    const std::map<int64_t, std::unique_ptr<segment>>& segments() const { return segments_; }
    const std::string& dir() const { return dir_; }
    const log_config& config() const { return config_; }
    // A topic config change (IncrementalAlterConfigs, AlterConfigs, or a broker default
    // it falls back to) acts at once, as Kafka's UnifiedLog.updateConfig: segment.bytes,
    // segment.ms and flush.* from the next append, roll or flush check on;
    // index.interval.bytes from the active segment's next index entry; segment.index.bytes
    // for segments created from now on (an index is sized when its segment is made).
    void update_config(const log_config& config);
    // The largest append accepted (RECORD_LIST_TOO_LARGE above it).
    uint64_t max_append_bytes() const { return config_.segment_bytes; }
    const recovery_report& last_recovery() const { return recovery_; }

    // Idempotent producers (log_producers.cc). Their state is snapshotted beside the
    // segments at every roll and at close(), and rebuilt at open() from the newest snapshot
    // plus the batches after it.
    const producer_state& producers() const { return producers_; }
    // producer.id.expiration.ms, checked by the broker's housekeeping.
    void remove_expired_producers(int64_t now_ms) { producers_.remove_expired(now_ms); }
    // Before a client's transactional batch of `producer_id`: 0 when it may be appended as
    // it is (the producer's transaction is open here, or verification is off), else the
    // guard to append it with once the transaction coordinator has confirmed the partition
    // is in the transaction (producer_state::start_verification). A client's transactional
    // batch that opens a transaction is refused (errc::invalid_txn_state) unless it comes
    // with the producer's current guard.
    uint64_t start_txn_verification(int64_t producer_id, int64_t now_ms) {
        if (!config_.transaction_verification || producers_.has_ongoing_txn(producer_id)) return 0;
        return producers_.start_verification(producer_id, now_ms);
    }

    // Transactions (log_txn.cc). The first offset of the earliest transaction still open
    // in this log, but not below earliest(), or latest() when none is open (Kafka's
    // firstUnstableOffset; the partition bounds it by the high watermark to make the last
    // stable offset).
    int64_t first_unstable_offset() const;
    // The aborted transactions a read_committed fetch of [from, upto) must carry: those
    // whose aborted range (first offset to abort marker) overlaps it, from the
    // aborted-transaction index (.txnindex) beside each segment, ordered by first offset.
    std::vector<aborted_txn> aborted_transactions(int64_t from, int64_t upto) const;
    // The last stable offset for a high watermark, as Kafka computes it: the smallest of
    // the high watermark, the first offset of the earliest open transaction and that of
    // the earliest ended one whose marker is not yet below the high watermark (ended, but
    // not replicated: a new leader might not know how). Forgets ended transactions whose
    // marker is below `high_watermark`; the partition should call it whenever it needs
    // the LSO, rather than min(first_unstable_offset(), high watermark).
    int64_t last_stable_offset(int64_t high_watermark);

    log(const log&) = delete;
    log& operator=(const log&) = delete;
    ~log() = default;

private:
    log(filesystem& fs, std::string dir, log_config config, leader_epoch_cache epochs);

    std::error_code load(const open_options& opts);
    // Replaces segment `base` with the cleaned one at `cleaned_paths` (segment::file_paths
    // of a segment made with cleaned_suffix), through .swap names (log_clean.cc).
    std::error_code swap_in_cleaned(int64_t base, const std::array<std::string, 4>& cleaned_paths,
                                    int64_t now_ms);
    // At open, of the directory's `names`: removes .cleaned files and finishes or undoes
    // each segment's .swap files (committed when its .log.swap exists).
    std::error_code finish_swaps(const std::vector<std::string>& names);
    // Starts a new active segment at `base` (>= latest()).
    std::error_code roll_at(int64_t base, int64_t now_ms);
    // Adds the base offset of every segment it validates to `rescanned`.
    std::error_code recover_from(int64_t recovery_point, std::vector<int64_t> flagged,
                                 std::set<int64_t>& rescanned);
    segment& active() { return *segments_.rbegin()->second; }
    const segment& active() const { return *segments_.rbegin()->second; }
    // With a new draw of segment.jitter.ms: Kafka's LogConfig.randomSegmentJitter, a
    // uniform value below min(segment.jitter.ms, segment.ms).
    segment_options segment_opts() const;
    // Deletes the oldest segments while `pred(segment, is_last)` holds (Kafka's
    // deletableSegments + deleteSegments).
    template <typename Pred>
    result<retention_result> delete_oldest(int64_t now_ms, int64_t high_watermark, Pred pred);
    std::error_code delete_segment(std::map<int64_t, std::unique_ptr<segment>>::iterator it);
    // Retention and DeleteRecords: the segment's files renamed .deleted, their paths kept
    // for take_retired_files().
    std::error_code retire_segment(std::map<int64_t, std::unique_ptr<segment>>::iterator it);
    std::error_code raise_log_start(int64_t offset);
    // Producer state (log_producers.cc).
    // `rescanned`: the segments recovery validated, whose aborted-transaction indexes it
    // emptied; the replay refills them.
    std::error_code load_producer_state(int64_t now_ms, bool clean_shutdown,
                                        const std::set<int64_t>& rescanned);
    // Rebuilds the state from the newest usable snapshot at or below `end` (and at or
    // below the first of `rescanned`) and the batches from there up to `end`.
    std::error_code rebuild_producer_state(int64_t end, int64_t now_ms, bool clean_shutdown,
                                           const std::set<int64_t>& rescanned = {});
    std::error_code write_producer_snapshot();
    // Removes snapshots above `end` (truncation) or below the first segment (retention).
    std::error_code remove_producer_snapshots(int64_t below, int64_t above);
    // Calls fn for every batch with offsets at or after `from`, below `end`: the header
    // only, except for control batches, which come whole.
    template <typename Fn>
    std::error_code for_each_batch(int64_t from, int64_t end, Fn&& fn);
    // Transactions (log_txn.cc). Records the transactions an append's markers ended: the
    // aborted ones in the active segment's .txnindex.
    std::error_code complete_txns(const std::vector<completed_txn>& completed);

    filesystem* fs_;
    std::string dir_;
    log_config config_;
    leader_epoch_cache epochs_;
    producer_state producers_;
    std::map<int64_t, std::unique_ptr<segment>> segments_;  // by base offset; never empty
    int64_t next_offset_ = 0;
    int64_t log_start_offset_ = 0;
    int64_t recovery_point_ = 0;
    int64_t last_flush_ms_ = 0;
    // Ended transactions whose marker may be above the high watermark: first offset ->
    // marker offset (Kafka's unreplicatedTxns); see last_stable_offset().
    std::map<int64_t, int64_t> unreplicated_txns_;
    bool dir_dirty_ = false;  // entries created or removed since the last directory fsync
    std::vector<std::string> retired_files_;  // renamed .deleted, not yet taken
    bool failed_ = false;
    recovery_report recovery_;
    // Below it the log was cleaned with every key it had then (Kafka's cleaner checkpoint).
    int64_t first_dirty_offset_ = 0;
};

}  // namespace eddy::log
