// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/partition.h"

#include <algorithm>

#include "cluster/logger.h"
#include "log/errc.h"
#include "record/records.h"

namespace eddy::cluster {
namespace {

// ListOffsets' special timestamps (KIP-734, KIP-405).
constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
constexpr int64_t max_timestamp = -3;
constexpr int64_t earliest_local_timestamp = -4;
constexpr int64_t latest_tiered_timestamp = -5;

// Validation's decompressed records, compression.type's rebuilt batch and ListOffsets'
// decompressed batch live per thread, not per partition: what they hold is then bounded
// by the threads working at once, not by how many partitions ever took a large compressed
// batch (400 partitions given one 1 MB gzip batch each used to keep 385 MB). Kafka keeps
// such buffers per request thread too. Each use ends before its strand handler returns,
// so partitions sharing a thread never see each other's bytes.
struct append_buffers {
    record::byte_buffer scratch;
    record::batch_recompressor recompressor;
    // A client's usual batch (up to about 1 MB decompressed) keeps its buffers between
    // calls; a larger one gives them back once it is done.
    static constexpr size_t keep_bytes = 4u << 20;
    void release_large() {
        scratch.release_above(keep_bytes);
        recompressor.release_above(keep_bytes);
    }
};

append_buffers& thread_buffers() {
    thread_local append_buffers buffers;
    return buffers;
}

error_code to_kafka(std::error_code ec) {
    if (ec == log::errc::offset_out_of_range) return error_code::offset_out_of_range;
    if (ec == log::errc::record_list_too_large) return error_code::record_list_too_large;
    if (ec == log::errc::invalid_batches) return error_code::corrupt_message;
    if (ec == log::errc::out_of_order_sequence) return error_code::out_of_order_sequence_number;
    if (ec == log::errc::invalid_producer_epoch) return error_code::invalid_producer_epoch;
    if (ec == log::errc::invalid_txn_state) return error_code::invalid_txn_state;
    if (ec == log::errc::coordinator_fenced) return error_code::transaction_coordinator_fenced;
    return error_code::kafka_storage_error;
}

// The record a by-time lookup answers with, searched in one batch (the log answers per
// batch; Kafka answers per record).
struct record_search {
    enum class outcome { found, none_in_batch, unreadable } what = outcome::unreadable;
    log::timestamp_offset at{};
    int64_t batch_last_offset = -1;  // none_in_batch: where the next batch starts after
    // The batch's partition leader epoch, which Kafka answers with (FileRecords'
    // searchForTimestamp, UnifiedLog's MAX_TIMESTAMP branch) rather than the epoch cache's:
    // the cache no longer covers a batch that DeleteRecords left below the log start.
    int32_t leader_epoch = -1;
};

// The first record at or after `target` and `min_offset` inside the batch holding
// `batch_offset`.
record_search first_record_at_or_after(log::log& l, int64_t batch_offset, int64_t target,
                                       int64_t min_offset, record::byte_buffer& scratch) {
    using outcome = record_search::outcome;
    record_search out;
    auto r = l.batch_holding(batch_offset);
    if (!r || !*r) return out;
    const log::file_slice& s = **r;
    std::vector<uint8_t> bytes(s.length);
    if (log::read_exact(*s.log_file, s.position, bytes)) return out;
    record::batch_scanner scan(bytes.data(), bytes.size());
    record::batch_view b;
    if (scan.next(b) != record::scan_status::ok) return out;
    out.batch_last_offset = b.last_offset();
    out.leader_epoch = b.partition_leader_epoch();
    if (b.ts_type() == record::timestamp_type::log_append_time) {
        out.what = outcome::found;
        out.at = {b.max_timestamp(), std::max(b.base_offset(), min_offset)};
        return out;
    }
    record::record_bytes rb = record::batch_records(b, scratch, 64u << 20);
    if (rb.status != record::codec_status::ok) return out;
    record::record_reader reader(rb.data, rb.size, b.records_count());
    record::record_view rec;
    out.what = outcome::none_in_batch;
    while (reader.next(rec) == record::record_status::ok) {
        int64_t offset = b.base_offset() + rec.offset_delta;
        int64_t ts = b.base_timestamp() + rec.timestamp_delta;
        if (offset >= min_offset && ts >= target) {
            out.what = outcome::found;
            out.at = {ts, offset};
            return out;
        }
    }
    return out;
}

}  // namespace

partition::partition(asio::any_io_executor executor, std::string topic, codec::uuid topic_id,
                     int32_t index, std::string log_dir, std::shared_ptr<log::filesystem> fs,
                     std::shared_ptr<const std::atomic<bool>> fetch_waits_ended)
    : executor_(std::move(executor)),
      topic_(std::move(topic)),
      topic_id_(topic_id),
      index_(index),
      log_dir_(std::move(log_dir)),
      fs_(std::move(fs)),
      fetch_waits_ended_(std::move(fetch_waits_ended)) {}

void partition::update(int32_t leader_epoch, size_t isr_size, size_t replica_count,
                       topic_settings settings) {
    leader_epoch_ = leader_epoch;
    // Kafka's makeLeader: a new leader epoch starts at the log's end at once.
    if (log_) {
        if (std::error_code ec = log_->start_leader_epoch(leader_epoch)) {
            replica_log().warn("{}-{}: cannot record leader epoch {}: {}", topic_, index_, leader_epoch,
                               ec.message());
        }
    }
    isr_size_ = isr_size;
    replica_count_ = replica_count;
    settings_ = settings;
    // Config changes act on the open log at once (Kafka's UnifiedLog.updateConfig); the
    // rest of settings_ is read by append() and housekeeping() each time.
    if (log_) log_->update_config(settings_.log);
}

// What Kafka's ReplicaManager.appendToLocalLog answers for a failed append: the log start
// offset, except for the errors it answers with UNKNOWN_LOG_APPEND_INFO (-1): a record or
// batch too large, corrupt records, a storage error.
produce_outcome partition::failed_append(error_code e) const {
    produce_outcome out;
    out.error = e;
    const bool unknown_append_info = e == error_code::message_too_large ||
                                     e == error_code::record_list_too_large ||
                                     e == error_code::corrupt_message || e == error_code::kafka_storage_error;
    out.log_start_offset = unknown_append_info ? -1 : log_->earliest();
    return out;
}

produce_outcome partition::append(std::span<uint8_t> records, int16_t api_version, int16_t acks,
                                  int64_t now_ms, bool from_coordinator, uint64_t verification_guard) {
    produce_outcome out;
    if (!log_) {
        out.error = error_code::not_leader_or_follower;
        return out;
    }
    // KIP-890: Kafka starts the verification before it validates or appends anything.
    // Produce v3+ carries one batch per partition; its header was checked for size.
    if (!from_coordinator && verification_guard == 0 && records.size() >= record::batch_header_size &&
        records[record::field::magic] == record::current_magic) {
        const record::batch_view b(records.data(), records.size());
        if (b.is_transactional() && !b.is_control()) {
            out.verification_guard = log_->start_txn_verification(b.producer_id(), now_ms);
            if (out.verification_guard != 0) return out;
        }
    }
    record::produce_options opts;
    opts.api_version = api_version;
    opts.max_message_bytes = settings_.max_message_bytes;
    opts.segment_bytes = static_cast<int64_t>(settings_.log.segment_bytes);
    opts.message_timestamp_type = settings_.timestamp_type;
    opts.timestamp_before_max_ms = settings_.timestamp_before_max_ms;
    opts.timestamp_after_max_ms = settings_.timestamp_after_max_ms;
    opts.compacted = settings_.compacted;
    opts.now_ms = now_ms;
    opts.from_client = !from_coordinator;
    // A topic codec (compression.type) may rebuild the batch from the records that
    // validation decompresses, so those topics read every batch, as Kafka does.
    opts.validation = settings_.compression ? record::batch_validation::strict : settings_.batch_validation;
    append_buffers& buffers = thread_buffers();
    struct release_on_return {
        append_buffers& b;
        ~release_on_return() { b.release_large(); }
    } release{buffers};
    record::produce_validation v =
        record::validate_produce_batches(records.data(), records.size(), opts, buffers.scratch);
    if (!v.ok()) {
        out = failed_append(v.error);
        // Only per-record errors carry a message (Kafka's RecordValidationException);
        // the rest get the client's own text for the code.
        if (!v.record_errors.empty()) out.error_message = std::move(v.error_message);
        out.record_errors = std::move(v.record_errors);
        return out;
    }
    // acks=all: Kafka checks the ISR against min.insync.replicas before appending.
    if (acks == -1 && below_min_isr()) return failed_append(error_code::not_enough_replicas);
    std::span<uint8_t> batch = records.subspan(0, v.valid_bytes);
    // compression.type: with the default (`producer`) this is the only cost.
    if (settings_.compression) {
        if (error_code e = recompress(batch, v, buffers.scratch, buffers.recompressor); e != error_code::none)
            return failed_append(e);
    }
    log::append_info info;
    info.now_ms = now_ms;
    info.leader_epoch = leader_epoch_;
    info.from_coordinator = from_coordinator;
    info.verification_guard = verification_guard;
    auto r = log_->append(batch, info);
    if (!r) return failed_append(to_kafka(r.error()));
    out.base_offset = r->first_offset;
    out.log_append_time = v.log_append_time;
    out.log_start_offset = r->log_start_offset;
    if (r->duplicate) {
        // A producer's retry: Kafka answers with the original batch's offset and its
        // timestamp as the append time; nothing new to flush or to wake fetches for.
        out.log_append_time = r->log_append_time;
        return out;
    }
    // flush.messages / flush.ms; with Kafka's defaults this does nothing and the bytes
    // sit in the page cache, which survives kill -9.
    (void)log_->maybe_flush(now_ms);
    wake_waiters();
    return out;
}

error_code partition::recompress(std::span<uint8_t>& batch, record::produce_validation& v,
                                 const record::byte_buffer& scratch, record::batch_recompressor& recompressor) {
    const record::batch_view view(batch.data(), batch.size());
    const record::compression target = *settings_.compression;
    if (!record::needs_recompression(view, target)) return error_code::none;
    std::span<uint8_t> rebuilt = recompressor.rebuild(
        view, record::validated_records(view, scratch), target, settings_.compression_level);
    // Kafka wraps the codec's IOException in a KafkaException: UNKNOWN_SERVER_ERROR.
    if (rebuilt.empty()) return error_code::unknown_server_error;
    // UnifiedLog.append checks max.message.bytes again when the validator may have changed
    // the size (recompression); segment.bytes is checked by the log itself.
    if (rebuilt.size() > static_cast<size_t>(std::max(settings_.max_message_bytes, 0)))
        return error_code::message_too_large;
    batch = rebuilt;
    v.valid_bytes = rebuilt.size();
    v.batch.codec = target;
    return error_code::none;
}

read_outcome partition::read(int64_t offset, uint32_t max_bytes, bool min_one_batch,
                             bool read_committed, int32_t last_fetched_epoch) {
    read_outcome out;
    if (!log_) {
        out.error = deleted_ ? error_code::unknown_topic_or_partition : error_code::not_leader_or_follower;
        return out;
    }
    out.high_watermark = log_->latest();
    out.last_stable_offset = last_stable_offset();
    out.log_start_offset = log_->earliest();
    if (last_fetched_epoch >= 0) {
        // Kafka's Partition.readRecords: an epoch this log cannot place, or an offset
        // below the log's start, is out of range whatever the epochs say.
        auto [epoch, end] = log_->end_offset_for_epoch(last_fetched_epoch);
        if (epoch < 0 || end < 0 || offset < out.log_start_offset) {
            out.error = error_code::offset_out_of_range;
            return out;
        }
        if (epoch < last_fetched_epoch || end < offset) {
            out.diverging_epoch = epoch;
            out.diverging_end_offset = end;
            return out;
        }
    }
    // Kafka's fetch isolation: read_committed stops before the first batch of the earliest
    // open transaction; an offset between there and the high watermark reads nothing.
    const int64_t bound = read_committed ? out.last_stable_offset : out.high_watermark;
    out.answer_at_once = offset > bound || log_->in_earlier_segment(offset, bound);
    if (offset == out.high_watermark) return out;  // caught up: nothing to send
    auto r = log_->read(offset, max_bytes, bound, min_one_batch);
    if (!r) {
        out.error = to_kafka(r.error());
        return out;
    }
    out.slices = std::move(r->slices);
    out.bytes = r->bytes;
    // Up to the bound rather than the last offset read (the slices do not say where the
    // last batch ends): Kafka's own bound is as coarse (an index entry or the segment's
    // end), and a client ignores an aborted transaction it meets no batch of.
    if (read_committed && out.bytes > 0) out.aborted_transactions = log_->aborted_transactions(offset, bound);
    return out;
}

offset_outcome partition::offset_for(int64_t timestamp, bool read_committed) {
    offset_outcome out;
    if (!log_) {
        out.error = error_code::not_leader_or_follower;
        return out;
    }
    // Kafka's lastFetchableOffset: what a consumer of this isolation level may read.
    const int64_t fetchable = read_committed ? last_stable_offset() : log_->latest();
    auto epoch_at = [&](int64_t offset) -> int32_t {
        int32_t e = -1;
        for (const log::epoch_entry& entry : log_->epochs().entries())
            if (entry.start_offset <= offset) e = entry.epoch;
        return e;
    };
    // A record found in its batch is answered with the batch's epoch; a batch that
    // cannot be read, at batch granularity with the epoch cache's.
    auto answer = [&](const record_search& s, log::timestamp_offset batch) {
        const bool found = s.what == record_search::outcome::found;
        const log::timestamp_offset at = found ? s.at : batch;
        if (at.offset >= fetchable) return;
        out.timestamp = at.timestamp;
        out.offset = at.offset;
        out.leader_epoch = found ? std::max(s.leader_epoch, -1) : epoch_at(at.offset);
    };
    using outcome = record_search::outcome;
    append_buffers& buffers = thread_buffers();
    switch (timestamp) {
    case latest_timestamp:
        out.offset = fetchable;
        out.leader_epoch = leader_epoch_;
        return out;
    case earliest_timestamp:
    case earliest_local_timestamp:
        out.offset = log_->earliest();
        out.leader_epoch = epoch_at(out.offset);
        return out;
    case latest_tiered_timestamp:
        return out;  // Kafka without tiered storage: offset, timestamp and epoch all -1
    case max_timestamp:
        // The segments know the batch that holds the max timestamp (by its last offset);
        // Kafka reads that batch and answers with its first record of that timestamp
        // (RecordBatch.offsetOfMaxTimestamp, below the log start or not) and the batch's
        // leader epoch.
        if (auto m = log_->max_timestamp_offset()) {
            record_search s = first_record_at_or_after(*log_, m->offset, m->timestamp, -1, buffers.scratch);
            buffers.release_large();
            answer(s, *m);
        }
        return out;
    default:
        break;
    }
    // Kafka's searchForTimestamp: batch by batch, the first record at or after both the
    // target and the log start; a batch whose qualifying records all lie before the log
    // start (DeleteRecords inside it) passes the search on to the next batch.
    int64_t from = log_->earliest();
    for (;;) {
        auto r = log_->offset_for_timestamp(timestamp, from);
        if (!r) {
            out.error = to_kafka(r.error());
            return out;
        }
        if (!*r || (*r)->offset >= fetchable) return out;
        record_search s = first_record_at_or_after(*log_, (*r)->offset, timestamp, log_->earliest(),
                                                   buffers.scratch);
        buffers.release_large();
        if (s.what == outcome::none_in_batch) {
            from = s.batch_last_offset + 1;
            continue;
        }
        answer(s, **r);
        return out;
    }
}

std::pair<error_code, int64_t> partition::delete_records(int64_t offset, int64_t now_ms) {
    if (!log_) return {error_code::not_leader_or_follower, -1};
    // Kafka refuses DeleteRecords on a topic whose cleanup.policy lacks delete.
    if (!settings_.deletable) return {error_code::policy_violation, -1};
    int64_t hw = log_->latest();
    if (offset == -1) offset = hw;  // DeleteRecordsRequest.HIGH_WATERMARK
    if (offset < 0 || offset > hw) return {error_code::offset_out_of_range, -1};
    auto r = log_->delete_records_before(offset, hw, now_ms);
    remove_retired_files_later();
    if (!r) return {to_kafka(r.error()), -1};
    return {error_code::none, *r};
}

error_code partition::check_epoch(int32_t current_leader_epoch) const {
    if (current_leader_epoch == -1) return error_code::none;
    if (current_leader_epoch < leader_epoch_) return error_code::fenced_leader_epoch;
    if (current_leader_epoch > leader_epoch_) return error_code::unknown_leader_epoch;
    return error_code::none;
}

bool partition::add_waiter(std::weak_ptr<fetch_waiter> w) {
    // Read here, on the strand: replica_manager::end_fetch_waits sets the flag before it
    // wakes this strand's fetches, so a fetch either sees it or is among those woken.
    if (fetch_waits_ended_ && fetch_waits_ended_->load()) return false;
    // Fetches that ended without an append left expired entries; drop them here so the
    // list stays as long as the fetches actually waiting.
    std::erase_if(waiters_, [](const std::weak_ptr<fetch_waiter>& x) { return x.expired(); });
    waiters_.push_back(std::move(w));
    return true;
}

size_t partition::waiting_fetches() const {
    size_t n = 0;
    for (const auto& w : waiters_) n += w.expired() ? 0 : 1;
    return n;
}

void partition::stop_leading(bool topic_deleted) {
    log_.reset();
    deleted_ = topic_deleted;
    wake_waiters();
}

void partition::wake_waiters() {
    for (auto& w : waiters_)
        if (auto s = w.lock()) s->notify();
    waiters_.clear();
}

void partition::apply_retention(int64_t now_ms) {
    if (!log_) return;
    const bool by_time_and_size = settings_.deletable;
    auto r = log_->apply_retention(now_ms, by_time_and_size ? settings_.retention_ms : -1,
                                   by_time_and_size ? settings_.retention_bytes : -1, log_->latest());
    // The log stays readable (its start offset follows what is left); the next pass tries
    // again. Kafka would take the whole log dir offline on such an I/O error.
    if (!r) replica_log().error("{}-{}: retention: {}", topic_, index_, r.error().message());
    remove_retired_files_later();
}

void partition::clean(int64_t now_ms, uint64_t map_bytes) {
    if (!log_ || !settings_.compacted) return;
    log::clean_options opts;
    opts.now_ms = now_ms;
    opts.min_cleanable_ratio = settings_.min_cleanable_ratio;
    opts.min_compaction_lag_ms = settings_.min_compaction_lag_ms;
    opts.max_compaction_lag_ms = settings_.max_compaction_lag_ms;
    opts.offset_map_bytes = map_bytes;
    opts.high_watermark = high_watermark();
    // A failed pass leaves every segment whole (old or cleaned); the next one tries again.
    if (auto r = log_->clean(opts); !r)
        replica_log().error("{}-{}: log cleaner: {}", topic_, index_, r.error().message());
}

void partition::remove_retired_files_later() {
    std::vector<std::string> files = log_->take_retired_files();
    if (files.empty()) return;
    // Kafka's file.delete.delay.ms: the segments' files, renamed .deleted, stay readable by
    // name for that long. (Open handles, a Fetch being sent, outlive the unlink anyway.) A
    // stop before the timer fires leaves them to the next open, which removes them.
    auto timer = std::make_shared<asio::steady_timer>(
        executor_, std::chrono::milliseconds(std::max<int64_t>(settings_.file_delete_delay_ms, 0)));
    // The filesystem is held, not the log: the timer may outlive both log and partition.
    timer->async_wait([timer, fs = fs_, files = std::move(files)](const asio::error_code& ec) {
        if (ec) return;
        for (const std::string& path : files) {
            // Gone already when the topic was deleted meanwhile (its directory moved aside).
            if (auto rc = fs->remove(path); rc && rc != std::errc::no_such_file_or_directory)
                replica_log().warn("cannot remove {}: {}", path, rc.message());
        }
    });
}

void partition::remove_expired_producers(int64_t now_ms) {
    if (log_) log_->remove_expired_producers(now_ms);
}

void partition::maybe_flush(int64_t now_ms) {
    if (log_) (void)log_->maybe_flush(now_ms);
}

bool partition::below_min_isr() const {
    // Kafka's effectiveMinIsr: a min.insync.replicas above the replica count counts as that
    // count, so acks=all reaches a topic of one replica whatever the setting.
    const auto wanted = static_cast<size_t>(std::max(settings_.min_insync_replicas, 1));
    return isr_size_ < std::min(wanted, replica_count_);
}

int64_t partition::last_stable_offset() {
    if (!log_) return 0;
    return log_->last_stable_offset(high_watermark());
}

error_code partition::write_marker(const record::txn_marker& marker, int64_t now_ms) {
    if (!log_) return error_code::not_leader_or_follower;
    // Markers are appended with acks=all, so Kafka's min.insync.replicas check applies.
    if (below_min_isr()) return error_code::not_enough_replicas;
    std::vector<uint8_t> batch = record::encode_marker_batch(marker, leader_epoch_, now_ms);
    log::append_info info;
    info.now_ms = now_ms;
    info.leader_epoch = leader_epoch_;
    info.from_coordinator = true;
    // Kafka's validator stamps every batch of a LogAppendTime topic, markers included.
    info.log_append_time = settings_.timestamp_type == record::timestamp_type::log_append_time;
    auto r = log_->append(batch, info);
    if (!r) return to_kafka(r.error());
    (void)log_->maybe_flush(now_ms);
    // The last stable offset may have moved: read_committed fetches parked at it re-read.
    wake_waiters();
    return error_code::none;
}

}  // namespace eddy::cluster
