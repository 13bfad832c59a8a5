// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/coordinator_runtime.h"

#include <algorithm>

#include "common/logging.h"
#include "common/wall_clock.h"
#include "group/runtime/offsets_batch.h"
#include "group/runtime/partition_for.h"
#include "hosting/hosting.h"
#include "hosting/log_loader.h"
#include "hosting/shard_timer.h"
#include "record/batch.h"

namespace eddy::group {
namespace {

spdlog::logger& runtime_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("group");
    return *logger;
}


// The partitions of the topics `before` has and `after` has not (by topic id: a topic
// deleted and created again under its name is a deletion too).
partitions_by_topic deleted_partitions(const metadata::metadata_image* before,
                                       const metadata::metadata_image& after) {
    partitions_by_topic deleted;
    if (before == nullptr || &before->topics() == &after.topics()) return deleted;
    for (const auto& [id, topic] : before->topics()) {
        if (after.topic(id) != nullptr) continue;
        std::set<int32_t>& parts = deleted[topic->name];
        for (const auto& [index, _] : topic->partitions) parts.insert(index);
    }
    return deleted;
}

}  // namespace

using hosting::slot_state;

// One hosted __consumer_offsets partition. `state` may be read anywhere; everything
// else lives on the partition's strand.
struct coordinator_runtime::slot {
    explicit slot(std::shared_ptr<cluster::partition> p)
        : partition(std::move(p)), timer(partition->executor()) {}

    std::shared_ptr<cluster::partition> partition;
    std::atomic<slot_state> state{slot_state::loading};
    std::unique_ptr<coordinator_shard> shard;
    reply_queue queue;
    asio::steady_timer timer;
    int64_t load_offset = -1;  // the next offset to replay
    std::vector<uint8_t> read_buffer;
    record::byte_buffer scratch;
    // Topics deleted while the shard was loading: their offsets go once it is loaded.
    partitions_by_topic deleted_while_loading;
};

coordinator_runtime::coordinator_runtime(int32_t node_id, runtime_config config,
                                         std::shared_ptr<cluster::replica_manager> replicas)
    : node_id_(node_id), config_(std::move(config)), replicas_(std::move(replicas)) {}

coordinator_runtime::~coordinator_runtime() { stop(); }

int32_t coordinator_runtime::partition_of(std::string_view group_id) const {
    // Before the topic exists Kafka counts with offsets.topic.num.partitions, the count
    // it will be created with.
    int32_t n = partition_count();
    return partition_for(group_id, n > 0 ? n : config_.offsets_topic_num_partitions);
}

std::vector<int32_t> coordinator_runtime::hosted_partitions() const { return slots_.partitions(); }

bool coordinator_runtime::is_loaded(int32_t partition) const {
    slot_ptr s = find(partition);
    return s && s->state.load() == slot_state::loaded;
}

void coordinator_runtime::apply_image(metadata::image_ptr image) {
    if (stopped_) return;
    partitions_by_topic deleted = deleted_partitions(image_.get(), *image);
    image_ = image;
    const metadata::topic_image* topic = image->topic(offsets_topic);
    partition_count_ = topic ? static_cast<int32_t>(topic->partitions.size()) : 0;
    slots_.apply(
        topic, offsets_topic, node_id_, *replicas_,
        [](const slot&, const metadata::partition_state&) { return true; },
        [](std::shared_ptr<cluster::partition> p, const metadata::partition_state&) {
            return std::make_shared<slot>(std::move(p));
        },
        [this](const slot_ptr& s) { load_step(s); }, [this](slot& s) { unload(s); });
    if (!deleted.empty())
        delete_offsets_of(std::make_shared<const partitions_by_topic>(std::move(deleted)));
}

void coordinator_runtime::delete_offsets_of(std::shared_ptr<const partitions_by_topic> deleted) {
    for (int32_t index : slots_.partitions()) {
        slot_ptr s = find(index);
        if (!s) continue;
        asio::post(s->partition->executor(), [this, s, deleted] {
            if (stopped_) return;
            if (s->state.load() == slot_state::loading) {
                for (const auto& [topic, parts] : *deleted)
                    s->deleted_while_loading[topic].insert(parts.begin(), parts.end());
            } else if (s->state.load() == slot_state::loaded) {
                s->shard->partitions_deleted(*deleted, wall_clock_ms());
                finish_call(s);
            }
        });
    }
}

void coordinator_runtime::stop() {
    if (stopped_.exchange(true)) return;
    slots_.clear([this](slot& s) { unload(s); });
}

void coordinator_runtime::run(int32_t partition, shard_op op, std::function<void(error_code)> fail) {
    if (stopped_) {
        fail(error_code::not_coordinator);
        return;
    }
    slots_.post_call(partition, std::move(fail), [this, op = std::move(op)](const slot_ptr& s) {
        op(*s->shard, wall_clock_ms(), s->queue);
        finish_call(s);
    });
}

void coordinator_runtime::load_step(const slot_ptr& s) {
    if (s->state.load() != slot_state::loading || stopped_) return;
    log::log* l = s->partition->get_log();
    if (l == nullptr) {  // no longer led here: the replica manager closed it
        s->state = slot_state::unloaded;
        return;
    }
    if (!s->shard) s->shard = std::make_unique<coordinator_shard>(config_.coordinator);
    coordinator_shard& shard = *s->shard;
    size_t skipped = 0;
    int64_t producer = record::no_producer_id;  // of the batch being read
    auto replay = [&](std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value) {
        if (!shard.replay(key, value, producer)) ++skipped;
    };
    auto each = [&](const record::batch_view& b, std::string& error) {
        if (b.is_control()) {
            // A transaction marker ends its producer's pending offsets (TxnOffsetCommit).
            if (std::optional<record::txn_marker> m = record::read_marker(b))
                shard.replay_end_transaction(b.producer_id(), m->commit);
            return true;
        }
        producer = b.is_transactional() ? b.producer_id() : record::no_producer_id;
        return read_offsets_batch(b, s->scratch, replay, error);
    };
    hosting::load_step_result step = hosting::load_batches(
        *l, s->load_offset, static_cast<uint32_t>(config_.offsets_load_buffer_size),
        s->read_buffer, each);
    const std::string name = s->partition->topic() + "-" + std::to_string(s->partition->index());
    if (skipped > 0)
        runtime_log().warn("{}: skipped {} records of unknown or malformed types while loading",
                           name, skipped);
    if (!step.error.empty()) {
        runtime_log().error("cannot load the group coordinator of {} at offset {}: {}", name,
                            s->load_offset, step.error);
        s->shard.reset();
        s->state = slot_state::unloaded;
        return;
    }
    if (step.done) {
        s->shard->loaded(wall_clock_ms());
        if (!s->deleted_while_loading.empty()) {
            s->shard->partitions_deleted(s->deleted_while_loading, wall_clock_ms());
            s->deleted_while_loading.clear();
        }
        s->state = slot_state::loaded;
        runtime_log().info("loaded the group coordinator of {} (offsets up to {})", name,
                           s->load_offset);
        finish_call(s);  // whatever loaded() wrote or answered, then the first timer
        return;
    }
    asio::post(s->partition->executor(), [this, s] { load_step(s); });
}

error_code coordinator_runtime::append(slot& s, std::span<const coordinator_record> records,
                                       int64_t now) {
    size_t at = 0;
    while (at < records.size()) {
        size_t end = at + 1;
        while (end < records.size() && records[end].producer_id == records[at].producer_id &&
               records[end].producer_epoch == records[at].producer_epoch)
            ++end;
        if (error_code e = append_batch(s, records.subspan(at, end - at), now);
            e != error_code::none)
            return e;
        at = end;
    }
    return error_code::none;
}

error_code coordinator_runtime::append_batch(slot& s, std::span<const coordinator_record> records,
                                             int64_t now) {
    // TxnOffsetCommit records carry their producer (no sequence: the log checks only the
    // epoch of a coordinator's batch, as Kafka's coordinator origin does).
    batch_producer producer;
    if (records.front().producer_id >= 0) {
        producer.id = records.front().producer_id;
        producer.epoch = records.front().producer_epoch;
    }
    std::vector<uint8_t> batch = encode_offsets_batch(records, s.partition->leader_epoch(), now,
                                                      config_.offsets_topic_compression, producer);
    // A leader append with acks=all, as Kafka's coordinator writes, waking the fetches
    // parked on the partition.
    cluster::produce_outcome o = s.partition->append_from_coordinator(batch, now);
    if (o.error != error_code::none) {
        runtime_log().warn("cannot append {} group coordinator records to {}-{}: {} {}",
                           records.size(), s.partition->topic(), s.partition->index(),
                           static_cast<int16_t>(o.error), o.error_message);
    }
    return o.error;
}

void coordinator_runtime::finish_call(const slot_ptr& s) {
    std::vector<coordinator_record> records = s->shard->take_records();
    error_code failed = error_code::none;
    if (!records.empty()) failed = append(*s, records, wall_clock_ms());
    std::vector<deferred_reply> ready = std::move(s->queue.ready);
    s->queue.ready.clear();
    if (failed == error_code::none) {
        for (deferred_reply& r : ready) r(error_code::none);
        arm_timer(s);
        return;
    }
    for (deferred_reply& r : ready) r(hosting::write_error(failed));
    // The shard already holds what the log refused: rebuild it from the log (or drop it
    // when the partition has gone).
    unload(*s);
    if (!stopped_ && s->partition->get_log() != nullptr) {
        s->load_offset = -1;
        s->state = slot_state::loading;
        load_step(s);
    }
}

void coordinator_runtime::arm_timer(const slot_ptr& s) {
    hosting::arm_shard_timer(s, [this, s] { finish_call(s); });
}

void coordinator_runtime::unload(slot& s) {
    s.state = slot_state::unloaded;
    s.timer.cancel();
    if (!s.shard) return;
    // Pending replies complete with NOT_COORDINATOR; there is nothing to append.
    s.shard->unload();
    std::vector<deferred_reply> ready = std::move(s.queue.ready);
    s.queue.ready.clear();
    for (deferred_reply& r : ready) r(error_code::none);
    s.shard.reset();
}

void coordinator_runtime::complete_transaction(int32_t partition, const record::txn_marker& marker,
                                               std::function<void(error_code)> done) {
    slot_ptr s = find(partition);
    if (!s) {
        done(error_code::not_coordinator);
        return;
    }
    asio::post(s->partition->executor(), [this, s, marker, done = std::move(done)] {
        // Only a loaded shard takes a marker, as in Kafka's runtime; the transaction
        // coordinator retries.
        if (s->state.load() != slot_state::loaded || stopped_) {
            done(error_code::not_coordinator);
            return;
        }
        const int64_t now = wall_clock_ms();
        if (error_code e = s->partition->write_marker(marker, now); e != error_code::none) {
            done(e);
            return;
        }
        // Durable: the shard applies the end as it will when it reads the marker back.
        s->shard->replay_end_transaction(marker.producer_id, marker.commit);
        done(error_code::none);
    });
}

}  // namespace eddy::group
