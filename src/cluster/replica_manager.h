// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The partitions this broker leads: created and deleted from metadata images, each
// owned by one strand of a small pool that also does their file I/O.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "cluster/caller_runs_executor.h"
#include "cluster/log_manager.h"
#include "cluster/partition.h"
#include "metadata/metadata_image.h"
#include "record/validate.h"

namespace eddy::cluster {

struct replica_manager_options {
    int32_t node_id = 1;
    std::vector<std::string> log_dirs;
    // The partition pool, num.io.threads: what may wait on the disk runs there (fsync,
    // rolls, retention), the rest of a partition's work too unless on_each_here runs it
    // on the thread that asks.
    size_t threads = 8;
    // server.properties values the topic configs fall back to.
    std::map<std::string, std::string, std::less<>> static_configs;
    // Kafka's LogManager schedule; an interval <= 0 (or beyond a century) never fires,
    // and stop() still flushes and checkpoints everything.
    std::chrono::milliseconds retention_check_interval{300000};  // log.retention.check.interval.ms
    std::chrono::milliseconds flush_check_interval{INT64_MAX};   // log.flush.scheduler.interval.ms
    // The log cleaner's pause between passes over the compacted partitions
    // (log.cleaner.backoff.ms; 0 when log.cleaner.enable is false: no cleaning) and its
    // key map's memory (log.cleaner.dedupe.buffer.size).
    std::chrono::milliseconds cleaner_backoff{15000};
    uint64_t cleaner_map_bytes = 134217728;
    // log.flush.offset.checkpoint.interval.ms, log.flush.start.offset.checkpoint.interval.ms
    std::chrono::milliseconds recovery_point_checkpoint_interval{60000};
    std::chrono::milliseconds log_start_checkpoint_interval{60000};
    // log.initial.task.delay.ms: the four tasks above first run this long after start.
    std::chrono::milliseconds initial_task_delay{30000};
    // producer.id.expiration.check.interval.ms (producer.id.expiration.ms itself is read
    // from the broker's config layers, as it may change at run time).
    std::chrono::milliseconds producer_expiration_check_interval{600000};
    // eddy.produce.batch.validation.
    record::batch_validation batch_validation = record::batch_validation::relaxed;
    std::shared_ptr<log::filesystem> fs;  // null: the real disk
};

// Thread-safe: find() and image() may be called from any thread without a lock (they
// read an immutable snapshot); apply_image(), start() and stop() from one controlling
// thread (the metadata listener). Partition state is touched only on each partition's
// strand.
class replica_manager {
public:
    explicit replica_manager(replica_manager_options options);
    ~replica_manager();  // stop()

    void start();
    // Closes every log, writes the checkpoints and the clean-shutdown markers. Idempotent.
    void stop();
    // The first step of stopping the broker: wakes every parked Fetch and lets none park
    // from now on, so that closing the network does not wait out each one's max_wait_ms
    // (Kafka's shutdown does not wait for its delayed fetches either). Blocks until every
    // partition has woken its fetches. Not from a pool thread.
    void end_fetch_waits();

    // Makes the partitions match `image`: opens logs for partitions this node leads,
    // updates epochs and configs, closes the rest. A deleted topic's directories are
    // renamed "<topic>-<partition>.<id>-delete" at once and removed after
    // log.segment.delete.delay.ms, as Kafka's LogManager does; a directory whose
    // partition.metadata names another topic id is renamed "...-stray" and kept.
    void apply_image(metadata::image_ptr image);

    std::shared_ptr<partition> find(std::string_view topic, int32_t index) const;
    // The partition, or the error Kafka answers with: UNKNOWN_TOPIC_OR_PARTITION (by
    // name) / UNKNOWN_TOPIC_ID (by id) when the image has no such partition,
    // NOT_LEADER_OR_FOLLOWER when another broker leads it.
    struct lookup_result {
        std::shared_ptr<partition> p;
        error_code error = error_code::none;
    };
    lookup_result lookup(std::string_view topic, int32_t index) const;
    lookup_result lookup(const codec::uuid& topic_id, int32_t index) const;
    std::shared_ptr<partition> find(const codec::uuid& topic_id, int32_t index) const;
    metadata::image_ptr image() const { return std::atomic_load(&image_); }
    int32_t node_id() const { return options_.node_id; }
    // log.dirs, as configured.
    const std::vector<std::string>& log_dirs() const { return options_.log_dirs; }
    // Every partition this broker holds a log for, by topic name and index.
    std::vector<std::shared_ptr<partition>> hosted() const;

    // Runs retention, the flush.ms check, producer expiration and both checkpoints now (the
    // timers do this too).
    void run_housekeeping();

    // Runs fn(partition&) on the partition's strand and resumes the awaiting coroutine
    // on its own executor with the result. A plain post there and back: no coroutine
    // frame on the strand, nothing held across the hop but `p`, `fn` and the result.
    template <class F>
    static auto on(std::shared_ptr<partition> p, F fn) {
        using R = decltype(fn(std::declval<partition&>()));
        return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
            [](auto handler, std::shared_ptr<partition> p, F fn) {
                const asio::any_io_executor& ex = p->executor();
                asio::post(ex, [p, fn = std::move(fn), handler = std::move(handler)]() mutable {
                    R result = fn(*p);
                    auto back = asio::get_associated_executor(handler);
                    asio::post(back, [handler = std::move(handler), result = std::move(result)]() mutable {
                        std::move(handler)(std::move(result));
                    });
                });
            },
            asio::use_awaitable, std::move(p), std::move(fn));
    }

    // Runs fn(partition&, i) for every ps[i] on that partition's strand, all posted at
    // once, and resumes the awaiting coroutine once, on its own executor, with the
    // results in the order of `ps`. A request spanning several partitions thus costs one
    // wake-up there and one back, not a round trip per partition one after another.
    // fn runs on several threads at the same time: it may only read what it captured.
    // A partition named twice gets its calls in the order of `ps` (its strand is FIFO).
    template <class F>
    static auto on_each(std::vector<std::shared_ptr<partition>> ps, F fn) {
        return gather_each(std::move(ps), std::move(fn), [](std::shared_ptr<partition> p, size_t, auto run) {
            asio::post(p->executor(), std::move(run));
        });
    }

    // As on_each, but a partition whose strand is idle runs fn right away on the calling
    // thread (caller_runs_scope), which then wakes no pool thread and, for a produce,
    // writes the request's bytes while they are still in its cache. may_block(partition&,
    // i), asked there first, sends a call that could wait on the disk (an fsync) on to the
    // pool instead, behind nothing that the caller queued after it. A busy strand queues
    // the call as on_each does. For the request paths that stay in memory: the network
    // threads must not wait on the disk.
    template <class F, class MayBlock>
    static auto on_each_here(std::vector<std::shared_ptr<partition>> ps, F fn, MayBlock may_block) {
        auto blocks = std::make_shared<MayBlock>(std::move(may_block));
        return gather_each(
            std::move(ps), std::move(fn), [blocks](std::shared_ptr<partition> p, size_t i, auto run) {
                const std::thread::id caller = std::this_thread::get_id();
                caller_runs_scope here;
                const asio::any_io_executor& ex = p->executor();
                asio::dispatch(ex, [run = std::move(run), blocks, caller, p = std::move(p), i]() mutable {
                    // On a pool thread the call may block; here, on the caller's, not.
                    if (std::this_thread::get_id() == caller && (*blocks)(*p, i)) {
                        asio::post(p->executor(), std::move(run));
                        return;
                    }
                    run();
                });
            });
    }

private:
    // on_each and on_each_here: launch(p, i, run) starts each partition's call, where
    // run() stores fn's result and the last one done resumes the awaiting coroutine once,
    // on its own executor, with the results in the order of `ps`.
    template <class F, class Launch>
    static auto gather_each(std::vector<std::shared_ptr<partition>> ps, F fn, Launch launch) {
        using R = decltype(fn(std::declval<partition&>(), size_t{}));
        return asio::async_initiate<decltype(asio::use_awaitable), void(std::vector<R>)>(
            [](auto handler, std::vector<std::shared_ptr<partition>> ps, F fn, Launch launch) {
                using state = gather<R, F, decltype(handler)>;
                auto g = std::make_shared<state>(ps.size(), std::move(fn), std::move(handler));
                if (ps.empty()) {
                    state::finish(g);
                    return;
                }
                for (size_t i = 0; i < ps.size(); ++i) {
                    auto run = [g, p = ps[i], i] {
                        g->results[i] = g->fn(*p, i);
                        // The last one done sees every result (acq_rel) and answers.
                        if (g->left.fetch_sub(1, std::memory_order_acq_rel) == 1) state::finish(g);
                    };
                    launch(std::move(ps[i]), i, std::move(run));
                }
            },
            asio::use_awaitable, std::move(ps), std::move(fn), std::move(launch));
    }

    // What on_each shares between the strands it posted to.
    template <class R, class F, class Handler>
    struct gather {
        gather(size_t n, F f, Handler h) : results(n), left(n), fn(std::move(f)), handler(std::move(h)) {}
        std::vector<R> results;
        std::atomic<size_t> left;
        F fn;
        Handler handler;
        static void finish(const std::shared_ptr<gather>& g) {
            auto back = asio::get_associated_executor(g->handler);
            asio::post(back, [g] { std::move(g->handler)(std::move(g->results)); });
        }
    };

    struct partition_map {
        std::map<std::pair<std::string, int32_t>, std::shared_ptr<partition>, std::less<>> by_name;
        std::map<std::pair<std::array<uint8_t, 16>, int32_t>, std::shared_ptr<partition>> by_id;
    };
    using map_ptr = std::shared_ptr<const partition_map>;

    // Which of the periodic tasks a housekeeping pass runs.
    struct housekeeping_tasks {
        bool retention = false;
        bool flush = false;
        bool recovery_points = false;
        bool log_starts = false;
        bool producer_expiry = false;
        bool clean = false;
    };
    std::vector<log_offsets> collect_offsets(bool close_logs);
    asio::awaitable<void> housekeeping_loop();
    asio::awaitable<void> housekeeping_pass(housekeeping_tasks tasks);
    // Opens (or creates) a partition's log in `dir`, checking and writing its
    // partition.metadata; null after logging why it could not.
    std::unique_ptr<log::log> open_partition_log(const std::string& dir,
                                                 const metadata::topic_image& topic, int32_t index,
                                                 const topic_settings& settings, int64_t now);
    // After the first image: partition directories that belong to no partition of this
    // broker (a topic deleted while the broker was down, say) are renamed -stray, as
    // Kafka's LogManager does at start-up.
    void set_aside_strays(const metadata::metadata_image& image, const partition_map& opened);
    // Renames topic-index's directory in `dir` -stray (kept), logging `why`; false when the
    // rename failed.
    bool set_aside_stray(const std::string& dir, const std::string& topic, int32_t index,
                         std::string_view why);
    // Removes a retired partition directory after `delay` (log.segment.delete.delay.ms,
    // Kafka's file delete delay for whole logs).
    void schedule_removal(std::string path, std::chrono::milliseconds delay);
    // Runs fn on every partition's strand, blocking the calling (non-pool) thread.
    void for_each_blocking(const std::function<void(partition&)>& fn);

    replica_manager_options options_;
    asio::thread_pool pool_;
    log_manager logs_;
    map_ptr partitions_ = std::make_shared<const partition_map>();
    metadata::image_ptr image_;
    bool started_ = false;
    bool strays_checked_ = false;
    std::atomic<bool> stopped_{false};
    // Shared with every partition (partition::add_waiter reads it).
    std::shared_ptr<std::atomic<bool>> fetch_waits_ended_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace eddy::cluster
