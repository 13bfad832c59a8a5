// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Hosts one coordinator_shard per __consumer_offsets partition led here, on that
// partition's strand: loads it from the partition's log, runs every operation and timer
// there, appends the records each call produced as one batch, and only then lets the
// replies of that call go out.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <asio.hpp>

#include "cluster/replica_manager.h"
#include "eddy/error_code.h"
#include "group/coordinator_shard.h"
#include "group/runtime/runtime_config.h"
#include "hosting/call.h"
#include "hosting/slot_map.h"
#include "metadata/metadata_image.h"
#include "record/control_record.h"

namespace eddy::group {

inline constexpr std::string_view offsets_topic = "__consumer_offsets";

// What a shard operation ended with (hosting/call.h).
template <class Response>
using outcome = hosting::outcome<Response>;

// Thread-safe: apply_image() from the metadata thread, stop() from the thread stopping the
// broker (the two exclude each other; images after stop() are ignored); call(),
// partition_count() and the lookups from any thread. Shard state is touched only on its
// partition's strand.
class coordinator_runtime {
public:
    coordinator_runtime(int32_t node_id, runtime_config config,
                        std::shared_ptr<cluster::replica_manager> replicas);
    ~coordinator_runtime();  // stop()

    const runtime_config& config() const { return config_; }

    // Loads shards for the __consumer_offsets partitions `image` makes this broker lead and
    // unloads the others. Subscribe after the replica manager, so the partitions exist.
    // Topics the previous image had and this one has not were deleted: every shard drops
    // its groups' offsets of them (a shard still loading does so once loaded).
    void apply_image(metadata::image_ptr image);
    // Unloads every shard (pending replies answer NOT_COORDINATOR, and so do calls from
    // now on) and waits for it. Call before the replica manager stops. Idempotent.
    void stop();

    // Partitions of __consumer_offsets in the latest image; 0 when the topic does not exist.
    int32_t partition_count() const { return partition_count_.load(); }
    // The shard partition of `group_id`, or -1 when the topic does not exist.
    int32_t partition_of(std::string_view group_id) const;
    // The partitions hosted here (loaded or loading), for fan-outs over every shard.
    std::vector<int32_t> hosted_partitions() const;
    // Loaded here and ready (tests, FindCoordinator diagnostics).
    bool is_loaded(int32_t partition) const;

    // One creation of __consumer_offsets at a time: true for the caller that may start
    // one, which then calls end_topic_creation().
    bool begin_topic_creation() { return !creating_topic_.exchange(true); }
    void end_topic_creation() { creating_topic_ = false; }

    // Runs op(shard, now_ms, done) on the shard of `partition`; `done` must be called
    // exactly once, during the call or in a later call on that shard (the shard's
    // contract). Resumes the caller on its own executor once the records produced by the
    // call that made the reply are appended.
    template <class Response, class Op>
    asio::awaitable<outcome<Response>> call(int32_t partition, Op op);

    // WriteTxnMarkers for partition `partition` of __consumer_offsets: on the shard's
    // strand, appends the marker's control batch (acks=all), then commits (or drops) the
    // offsets the producer committed in that transaction. `done(error)` runs once, on any
    // thread: NOT_COORDINATOR when the shard is not hosted or not loaded here, else the
    // error of the append (partition::write_marker).
    void complete_transaction(int32_t partition, const record::txn_marker& marker,
                              std::function<void(error_code)> done);

    // A reply made during a call, held until that call's records are appended; run with
    // none, or with the error that stops it going out.
    using deferred_reply = std::function<void(error_code)>;
    // Lives on: the shard's strand.
    struct reply_queue {
        std::vector<deferred_reply> ready;
    };

private:
    struct slot;
    using slot_ptr = std::shared_ptr<slot>;
    using shard_op = std::function<void(coordinator_shard&, int64_t, reply_queue&)>;

    slot_ptr find(int32_t partition) const { return stopped_ ? nullptr : slots_.find(partition); }
    // Posts `op` to the shard's strand; when the shard is not there or not loaded,
    // `fail` runs instead (on the strand, or here when there is no such shard).
    void run(int32_t partition, shard_op op, std::function<void(error_code)> fail);
    void load_step(const slot_ptr& s);
    void finish_call(const slot_ptr& s);
    // Appends the records, one batch per run of records of the same producer.
    error_code append(slot& s, std::span<const coordinator_record> records, int64_t now);
    error_code append_batch(slot& s, std::span<const coordinator_record> records, int64_t now);
    void arm_timer(const slot_ptr& s);
    void unload(slot& s);
    void delete_offsets_of(std::shared_ptr<const partitions_by_topic> deleted);

    int32_t node_id_;
    runtime_config config_;
    std::shared_ptr<cluster::replica_manager> replicas_;
    hosting::slot_map<slot> slots_;
    metadata::image_ptr image_;  // the last one applied; the metadata thread's
    std::atomic<int32_t> partition_count_{0};
    std::atomic<bool> stopped_{false};
    std::atomic<bool> creating_topic_{false};
};

template <class Response, class Op>
asio::awaitable<outcome<Response>> coordinator_runtime::call(int32_t partition, Op op) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(outcome<Response>)>(
        [this](auto handler, int32_t partition, Op op) {
            auto deliver = hosting::deliver_once<Response>(std::move(handler));
            auto body = [op = std::move(op), deliver](coordinator_shard& shard, int64_t now,
                                                      reply_queue& queue) mutable {
                op(shard, now, reply<Response>([deliver, &queue](Response r) {
                       queue.ready.push_back([deliver, r = std::move(r)](error_code e) mutable {
                           deliver(e, std::move(r));
                       });
                   }));
            };
            run(partition, std::move(body), [deliver](error_code e) { deliver(e, Response{}); });
        },
        asio::use_awaitable, partition, std::move(op));
}

}  // namespace eddy::group
