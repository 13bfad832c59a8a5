// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "txn/runtime/txn_runtime.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/log_text.h"
#include "common/logging.h"
#include "common/wall_clock.h"
#include "group/runtime/partition_for.h"
#include "hosting/hosting.h"
#include "hosting/log_loader.h"
#include "hosting/shard_timer.h"
#include "record/batch.h"
#include "record/plain_batch.h"

namespace eddy::txn {
namespace {

spdlog::logger& runtime_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("txn");
    return *logger;
}

// How a marker write's answer is handled (Kafka's TransactionMarkerRequestCompletionHandler
// and TransactionMarkerChannelManager).
enum class marker_action { done, retry, retry_if_topic_exists, abandon };

marker_action action_of(error_code e) {
    switch (e) {
    case error_code::none:
    // The producer could not have written to such a partition: nothing to mark.
    case error_code::unsupported_for_message_format:
    case error_code::unsupported_version:
        return marker_action::done;
    // Kafka drops the partitions of a deleted topic instead of retrying them.
    case error_code::unknown_topic_or_partition:
        return marker_action::retry_if_topic_exists;
    // The producer or the coordinator moved on: this transaction's markers are moot.
    case error_code::invalid_producer_epoch:
    case error_code::transaction_coordinator_fenced:
        return marker_action::abandon;
    default:
        // NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT,
        // KAFKA_STORAGE_ERROR and a group coordinator not (yet) there are Kafka's retriable
        // answers; Eddy also retries what Kafka would treat as a bug, rather than leave the
        // transaction stuck in PrepareCommit/PrepareAbort.
        return marker_action::retry;
    }
}


}  // namespace

using hosting::slot_state;

// One hosted __transaction_state partition. `state` may be read anywhere; everything else
// lives on the partition's strand.
struct txn_slot {
    txn_slot(std::shared_ptr<cluster::partition> p, int32_t epoch)
        : partition(std::move(p)), leader_epoch(epoch), timer(partition->executor()) {}

    std::shared_ptr<cluster::partition> partition;
    // The coordinator epoch: the partition's leader epoch when this broker became its
    // leader (a new epoch means a new slot, as Kafka reloads on every election).
    const int32_t leader_epoch;
    std::atomic<slot_state> state{slot_state::loading};
    std::unique_ptr<txn_coordinator_shard> shard;
    // Bumped on every unload: marker jobs of an older shard stop.
    uint64_t generation = 0;
    // The producer id InitProducerId handed in, for the shard's allocator.
    std::optional<int64_t> offered_id;
    asio::steady_timer timer;
    int64_t load_offset = -1;  // the next offset to replay
    std::vector<uint8_t> read_buffer;
    record::byte_buffer scratch;
};

txn_coordinator_shard& shard_of(txn_slot& s) { return *s.shard; }

// The markers of one transaction being written; lives on its slot's strand.
struct txn_runtime::marker_job {
    marker_job(slot_ptr s, txn_markers m)
        : owner(std::move(s)), markers(std::move(m)), generation(owner->generation),
          retry_timer(owner->partition->executor()) {}

    slot_ptr owner;
    txn_markers markers;
    uint64_t generation;
    std::set<topic_partition> to_send;  // the next round
    std::set<topic_partition> retry;    // failed in this round
    size_t in_flight = 0;
    bool abandoned = false;
    asio::steady_timer retry_timer;
};

txn_runtime::txn_runtime(int32_t node_id, txn_runtime_config config,
                         std::shared_ptr<cluster::replica_manager> replicas,
                         marker_writer write_marker)
    : node_id_(node_id), config_(std::move(config)), replicas_(std::move(replicas)),
      write_marker_(std::move(write_marker)) {}

txn_runtime::~txn_runtime() { stop(); }

int32_t txn_runtime::partition_of(std::string_view transactional_id) const {
    int32_t n = partition_count();
    return group::partition_for(transactional_id, n > 0 ? n : config_.num_partitions);
}

std::vector<int32_t> txn_runtime::hosted_partitions() const { return slots_.partitions(); }

bool txn_runtime::is_loaded(int32_t partition) const { return status(partition) == error_code::none; }

error_code txn_runtime::status(int32_t partition) const {
    slot_ptr s = find(partition);
    return s ? hosting::call_error(s->state.load()) : error_code::not_coordinator;
}

std::optional<int64_t> txn_runtime::take_spare_producer_id() {
    std::lock_guard lock(spare_mutex_);
    if (spare_ids_.empty()) return std::nullopt;
    int64_t id = spare_ids_.back();
    spare_ids_.pop_back();
    return id;
}

void txn_runtime::give_back(int64_t producer_id) {
    std::lock_guard lock(spare_mutex_);
    spare_ids_.push_back(producer_id);
}

void txn_runtime::apply_image(metadata::image_ptr image) {
    if (stopped_) return;
    const metadata::topic_image* topic = image->topic(transaction_state_topic);
    partition_count_ = topic ? static_cast<int32_t>(topic->partitions.size()) : 0;
    // A new leader epoch is a new coordinator epoch: a new slot, as Kafka reloads on every
    // election.
    slots_.apply(
        topic, transaction_state_topic, node_id_, *replicas_,
        [](const slot& s, const metadata::partition_state& state) {
            return s.leader_epoch == state.leader_epoch;
        },
        [](std::shared_ptr<cluster::partition> p, const metadata::partition_state& state) {
            return std::make_shared<slot>(std::move(p), state.leader_epoch);
        },
        [this](const slot_ptr& s) { load_step(s); }, [this](slot& s) { unload(s); });
}

void txn_runtime::stop() {
    if (stopped_.exchange(true)) return;
    *alive_ = false;
    slots_.clear([this](slot& s) { unload(s); });
}

void txn_runtime::run(int32_t partition, shard_op op, std::function<void(error_code)> fail) {
    if (stopped_) {
        fail(error_code::not_coordinator);
        return;
    }
    slots_.post_call(partition, std::move(fail), [this, op = std::move(op)](const slot_ptr& s) mutable {
        std::vector<std::function<void(error_code)>> replies;
        replies.push_back(op(*s, wall_clock_ms()));
        finish_call(s, std::move(replies));
    });
}

asio::awaitable<outcome<init_producer_id_result>> txn_runtime::init_producer_id(
    int32_t partition, std::string transactional_id, int32_t timeout_ms,
    std::optional<producer_id_and_epoch> expected, int64_t candidate_id) {
    // Not a coroutine: the awaitable owns the operation and its captures.
    auto op = [this, tid = std::move(transactional_id), timeout_ms, expected, candidate_id](
                  slot& s, int64_t now) {
        // The shard's allocator takes the offered id when it needs a new producer id.
        s.offered_id = candidate_id;
        init_producer_id_result r = s.shard->init_producer_id(tid, timeout_ms, expected, now);
        if (s.offered_id) give_back(*s.offered_id);
        s.offered_id.reset();
        return r;
    };
    return call_on_slot<init_producer_id_result>(partition, std::move(op));
}

void txn_runtime::load_step(const slot_ptr& s) {
    if (s->state.load() != slot_state::loading || stopped_) return;
    log::log* l = s->partition->get_log();
    if (l == nullptr) {  // no longer led here: the replica manager closed it
        s->state = slot_state::unloaded;
        return;
    }
    if (!s->shard) {
        // Coordinator epoch = the partition's leader epoch, as Kafka loads it. The allocator
        // hands out the id InitProducerId brought along (see init_producer_id()).
        slot* raw = s.get();
        s->shard = std::make_unique<txn_coordinator_shard>(
            config_.coordinator, s->leader_epoch, [raw]() -> int64_t {
                int64_t id = raw->offered_id.value_or(no_producer_id);
                raw->offered_id.reset();
                return id;
            });
    }
    txn_coordinator_shard& shard = *s->shard;
    size_t skipped = 0;
    auto replay = [&](std::optional<std::span<const uint8_t>> key,
                      std::optional<std::span<const uint8_t>> value) {
        if (!key || !shard.replay(*key, value)) ++skipped;
    };
    auto each = [&](const record::batch_view& b, std::string& error) {
        // Control batches carry nothing the shard reads.
        return b.is_control() ||
               record::for_each_plain_record(b, s->scratch, SIZE_MAX, replay, error);
    };
    hosting::load_step_result step = hosting::load_batches(
        *l, s->load_offset, static_cast<uint32_t>(config_.load_buffer_size), s->read_buffer, each);
    const std::string name = s->partition->topic() + "-" + std::to_string(s->partition->index());
    if (skipped > 0)
        runtime_log().warn("{}: skipped {} records of unknown or malformed types while loading",
                           name, skipped);
    if (!step.error.empty()) {
        runtime_log().error("cannot load the transaction coordinator of {} at offset {}: {}",
                            name, s->load_offset, step.error);
        s->shard.reset();
        s->state = slot_state::unloaded;
        return;
    }
    if (step.done) {
        s->shard->loaded(wall_clock_ms());
        s->state = slot_state::loaded;
        runtime_log().info("loaded the transaction coordinator of {} (offsets up to {}, {} ids)",
                           name, s->load_offset, s->shard->size());
        finish_call(s, {});  // the markers loaded() queued, then the first timer
        return;
    }
    asio::post(s->partition->executor(), [this, s] { load_step(s); });
}

void txn_runtime::finish_call(const slot_ptr& s,
                              std::vector<std::function<void(error_code)>> replies) {
    std::vector<txn_record> records = s->shard->take_records();
    error_code failed = error_code::none;
    if (!records.empty()) {
        std::vector<record::plain_record> plain;
        plain.reserve(records.size());
        for (const txn_record& r : records) {
            record::plain_record p;
            p.key = std::span<const uint8_t>(r.key);
            if (r.value) p.value = std::span<const uint8_t>(*r.value);
            plain.push_back(p);
        }
        const int64_t now = wall_clock_ms();
        record::plain_batch_header h;
        h.leader_epoch = s->partition->leader_epoch();
        h.timestamp_ms = now;
        h.codec = record::compression::none;
        std::vector<uint8_t> batch = record::encode_plain_batch(h, plain);
        // A leader append with acks=all, as Kafka's coordinator writes.
        cluster::produce_outcome o = s->partition->append_from_coordinator(batch, now);
        failed = o.error;
        if (failed != error_code::none) {
            runtime_log().warn("cannot append {} transaction records to {}-{}: {} {}",
                               records.size(), s->partition->topic(), s->partition->index(),
                               wire_code(failed), o.error_message);
        }
    }
    if (failed == error_code::none) {
        for (auto& r : replies) r(error_code::none);
        // The PrepareX records are durable: their markers may go out now.
        for (txn_markers& m : s->shard->take_markers()) start_markers(s, std::move(m));
        arm_timer(s);
        return;
    }
    for (auto& r : replies) r(hosting::write_error(failed));
    // The shard already holds what the log refused: rebuild it from the log.
    reload(s);
}

void txn_runtime::reload(const slot_ptr& s) {
    unload(*s);
    if (!stopped_ && s->partition->get_log() != nullptr) {
        s->load_offset = -1;
        s->state = slot_state::loading;
        load_step(s);
    }
}

void txn_runtime::arm_timer(const slot_ptr& s) {
    hosting::arm_shard_timer(s, [this, s] { finish_call(s, {}); });
}

void txn_runtime::unload(slot& s) {
    s.state = slot_state::unloaded;
    s.timer.cancel();
    ++s.generation;  // marker jobs of this shard stop at their next step
    s.shard.reset();
}

void txn_runtime::start_markers(const slot_ptr& s, txn_markers markers) {
    auto job = std::make_shared<marker_job>(s, std::move(markers));
    job->to_send.insert(job->markers.partitions.begin(), job->markers.partitions.end());
    ++markers_in_flight_;
    send_markers(job);
}

void txn_runtime::send_markers(const std::shared_ptr<marker_job>& job) {
    slot& s = *job->owner;
    if (stopped_ || job->abandoned || s.generation != job->generation ||
        s.state.load() != slot_state::loaded) {
        --markers_in_flight_;
        return;
    }
    if (job->to_send.empty()) {
        // Every partition has its marker: CompleteCommit/CompleteAbort.
        --markers_in_flight_;
        if (s.shard->markers_written(job->markers, wall_clock_ms())) finish_call(job->owner, {});
        return;
    }
    std::set<topic_partition> round = std::move(job->to_send);
    job->to_send.clear();
    job->in_flight = round.size();
    record::txn_marker marker{job->markers.producer_id, job->markers.producer_epoch,
                              job->markers.coordinator_epoch, job->markers.commit};
    asio::any_io_executor strand = s.partition->executor();
    for (const topic_partition& tp : round) {
        write_marker_(tp.topic, tp.partition, marker, [this, alive = alive_, job, tp, strand](error_code e) {
            asio::post(strand, [this, alive, job, tp, e] {
                if (*alive) on_marker(job, tp, e);
            });
        });
    }
}

void txn_runtime::on_marker(const std::shared_ptr<marker_job>& job, const topic_partition& tp,
                            error_code e) {
    switch (action_of(e)) {
    case marker_action::done:
        break;
    case marker_action::retry_if_topic_exists:
        if (replicas_->image()->topic(tp.topic) != nullptr) job->retry.insert(tp);
        else runtime_log().info("{}: dropping the marker of {}-{}: the topic is gone",
                                log_text(job->markers.transactional_id), tp.topic, tp.partition);
        break;
    case marker_action::retry:
        job->retry.insert(tp);
        break;
    case marker_action::abandon:
        runtime_log().info("{}: stopping its markers: {}-{} answered {}",
                           log_text(job->markers.transactional_id), tp.topic, tp.partition,
                           wire_code(e));
        job->abandoned = true;
        break;
    }
    if (--job->in_flight > 0) return;
    if (job->retry.empty() || job->abandoned) {
        send_markers(job);
        return;
    }
    runtime_log().debug("{}: retrying {} markers", log_text(job->markers.transactional_id),
                        job->retry.size());
    job->to_send = std::move(job->retry);
    job->retry.clear();
    job->retry_timer.expires_after(std::chrono::milliseconds(config_.marker_retry_backoff_ms));
    job->retry_timer.async_wait([this, alive = alive_, job](asio::error_code) {
        if (*alive) send_markers(job);
    });
}

}  // namespace eddy::txn
