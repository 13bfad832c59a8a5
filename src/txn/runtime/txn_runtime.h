// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Hosts one txn_coordinator_shard per __transaction_state partition led here, on that
// partition's strand (as Kafka's TransactionStateManager and TransactionMarkerChannelManager
// do for the transaction coordinator): loads it from the partition's log, runs every call
// and timer there, appends the records a call produced as one batch before its reply goes
// out, and writes the markers of every transaction that reached PrepareCommit/PrepareAbort,
// completing it once all are written.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio.hpp>

#include "cluster/replica_manager.h"
#include "eddy/error_code.h"
#include "hosting/call.h"
#include "hosting/slot_map.h"
#include "metadata/metadata_image.h"
#include "record/control_record.h"
#include "txn/runtime/txn_runtime_config.h"
#include "txn/txn_coordinator_shard.h"

namespace eddy::txn {

inline constexpr std::string_view transaction_state_topic = "__transaction_state";

// One hosted partition (txn_runtime.cc), and its shard once loaded (for call()).
struct txn_slot;
txn_coordinator_shard& shard_of(txn_slot& s);

// What a shard call ended with (hosting/call.h).
template <class Response>
using outcome = hosting::outcome<Response>;

// Writes one transaction marker into one partition (the broker's WriteTxnMarkers path);
// `done(error)` runs once, on any thread.
using marker_writer =
    std::function<void(const std::string& topic, int32_t partition, const record::txn_marker& marker,
                       std::function<void(error_code)> done)>;

// Thread-safe: apply_image() from the metadata thread, stop() from the thread stopping the
// broker (the two exclude each other; images after stop() are ignored); the calls and
// lookups from any thread. Shard state is touched only on its partition's strand.
class txn_runtime {
public:
    txn_runtime(int32_t node_id, txn_runtime_config config,
                std::shared_ptr<cluster::replica_manager> replicas, marker_writer write_marker);
    ~txn_runtime();  // stop()

    const txn_runtime_config& config() const { return config_; }

    // Loads shards for the __transaction_state partitions `image` makes this broker lead
    // and unloads the others. Subscribe after the replica manager, so the partitions exist.
    void apply_image(metadata::image_ptr image);
    // Unloads every shard (pending replies answer NOT_COORDINATOR, and so do calls from
    // now on; marker writes in flight are dropped) and waits for it. Call before the
    // replica manager stops. Idempotent.
    void stop();

    // Partitions of __transaction_state in the latest image; 0 while it does not exist.
    int32_t partition_count() const { return partition_count_.load(); }
    // The partition of `transactional_id` (counted with transaction.state.log.num.partitions
    // while the topic does not exist, as Kafka does).
    int32_t partition_of(std::string_view transactional_id) const;
    std::vector<int32_t> hosted_partitions() const;
    bool is_loaded(int32_t partition) const;
    // NONE when `partition` is loaded here, COORDINATOR_LOAD_IN_PROGRESS while it loads,
    // else NOT_COORDINATOR: what a call would answer now, for checks before costly work.
    error_code status(int32_t partition) const;
    // Transactions whose markers are being written (tests, diagnostics).
    size_t markers_in_flight() const { return markers_in_flight_.load(); }

    // One creation of __transaction_state at a time: true for the caller that may start
    // one, which then calls end_topic_creation().
    bool begin_topic_creation() { return !creating_topic_.exchange(true); }
    void end_topic_creation() { creating_topic_ = false; }

    // Producer ids the shards did not use: InitProducerId hands one in with every call
    // (the shard's allocator is synchronous, the broker's source is not) and takes it from
    // here first.
    std::optional<int64_t> take_spare_producer_id();

    // Runs op(shard, now_ms) -> Response on the shard of `partition`; resumes the caller on
    // its own executor once the records the call produced are appended.
    template <class Response, class Op>
    asio::awaitable<outcome<Response>> call(int32_t partition, Op op);

    // InitProducerId: `candidate_id` is the producer id the shard gets if it needs a new
    // one; an unused candidate goes back to the spare ids.
    asio::awaitable<outcome<init_producer_id_result>> init_producer_id(
        int32_t partition, std::string transactional_id, int32_t timeout_ms,
        std::optional<producer_id_and_epoch> expected, int64_t candidate_id);

private:
    using slot = txn_slot;
    using slot_ptr = std::shared_ptr<slot>;
    // Runs on the strand with a loaded shard, returns how to deliver the reply (called with
    // none, or with the error that replaces it) once the call's records are appended.
    using shard_op = std::function<std::function<void(error_code)>(slot&, int64_t now_ms)>;
    struct marker_job;

    // call() with op(slot, now_ms): for the calls that need more than the shard.
    template <class Response, class SlotOp>
    asio::awaitable<outcome<Response>> call_on_slot(int32_t partition, SlotOp op);

    slot_ptr find(int32_t partition) const { return stopped_ ? nullptr : slots_.find(partition); }
    void run(int32_t partition, shard_op op, std::function<void(error_code)> fail);
    void load_step(const slot_ptr& s);
    void finish_call(const slot_ptr& s, std::vector<std::function<void(error_code)>> replies);
    void arm_timer(const slot_ptr& s);
    void unload(slot& s);
    void reload(const slot_ptr& s);
    void start_markers(const slot_ptr& s, txn_markers markers);
    void send_markers(const std::shared_ptr<marker_job>& job);
    void on_marker(const std::shared_ptr<marker_job>& job, const topic_partition& tp, error_code e);
    void give_back(int64_t producer_id);

    int32_t node_id_;
    txn_runtime_config config_;
    std::shared_ptr<cluster::replica_manager> replicas_;
    marker_writer write_marker_;
    hosting::slot_map<slot> slots_;
    std::atomic<int32_t> partition_count_{0};
    std::atomic<bool> stopped_{false};
    // False from stop() on: marker callbacks and retry timers that outlive the runtime
    // check it before touching it.
    std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
    std::atomic<bool> creating_topic_{false};
    std::atomic<size_t> markers_in_flight_{0};
    std::mutex spare_mutex_;
    std::vector<int64_t> spare_ids_;
};

template <class Response, class Op>
asio::awaitable<outcome<Response>> txn_runtime::call(int32_t partition, Op op) {
    return call_on_slot<Response>(
        partition, [op = std::move(op)](slot& s, int64_t now) mutable { return op(shard_of(s), now); });
}

template <class Response, class SlotOp>
asio::awaitable<outcome<Response>> txn_runtime::call_on_slot(int32_t partition, SlotOp op) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(outcome<Response>)>(
        [this](auto handler, int32_t partition, SlotOp op) {
            auto deliver = hosting::deliver_once<Response>(std::move(handler));
            shard_op body = [op = std::move(op), deliver](slot& s, int64_t now) mutable
                -> std::function<void(error_code)> {
                Response r = op(s, now);
                return [deliver, r = std::move(r)](error_code e) mutable {
                    if (e == error_code::none) deliver(e, std::move(r));
                    else deliver(e, Response{});
                };
            };
            run(partition, std::move(body), [deliver](error_code e) { deliver(e, Response{}); });
        },
        asio::use_awaitable, partition, std::move(op));
}

}  // namespace eddy::txn
