// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/replica_manager.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <future>

#include "cluster/logger.h"
#include "cluster/partition_metadata_file.h"
#include "common/wall_clock.h"
#include "controller/effective_config.h"
#include "controller/topic_names.h"
#include "log/file_names.h"

namespace eddy::cluster {
namespace {

// log.segment.delete.delay.ms: how long a deleted topic's directories wait, renamed
// -delete, before they are removed (Kafka's fileDeleteDelayMs of the broker default).
std::chrono::milliseconds delete_delay(const controller::broker_layers& layers) {
    return std::chrono::milliseconds(
        std::max<int64_t>(0, controller::broker_number("log.segment.delete.delay.ms", layers, 60000)));
}

}  // namespace

replica_manager::replica_manager(replica_manager_options options)
    : options_(std::move(options)),
      pool_(options_.threads == 0 ? 1 : options_.threads),
      logs_(options_.fs ? options_.fs : std::shared_ptr<log::filesystem>(log::make_posix_filesystem()),
            options_.log_dirs),
      image_(metadata::metadata_image::empty()),
      started_(false) {}

replica_manager::~replica_manager() { stop(); }

void replica_manager::start() {
    if (started_) return;
    started_ = true;
    logs_.start(wall_clock_ms());
    // No metadata image yet: the server.properties value, or the default.
    const metadata::config_map none;
    const auto delay = delete_delay({none, none, options_.static_configs});
    for (std::string& path : logs_.take_pending_removals()) schedule_removal(std::move(path), delay);
    asio::co_spawn(asio::make_strand(pool_), housekeeping_loop(), asio::detached);
}

asio::awaitable<void> replica_manager::housekeeping_loop() {
    using clock = asio::steady_timer::clock_type;
    // Each task has its own period, as Kafka's LogManager schedules them; the loop sleeps
    // until the earliest one is due. Periods and delays that would overflow the clock
    // never fire.
    static constexpr std::chrono::hours clock_limit{24 * 365 * 100};
    struct periodic {
        std::chrono::milliseconds every;
        std::chrono::milliseconds first;  // after start-up
        clock::time_point due = clock::time_point::max();
        bool fires() const { return every.count() > 0 && every < clock_limit; }
    };
    // LogManager starts retention, the flusher and both checkpoints after
    // log.initial.task.delay.ms; UnifiedLog's producer expiration check after its interval.
    const std::chrono::milliseconds initial = options_.initial_task_delay;
    // The cleaner's first pass comes one backoff after start, as a Kafka cleaner thread
    // that found nothing to clean.
    std::array<periodic, 6> tasks{{{options_.retention_check_interval, initial},
                                   {options_.flush_check_interval, initial},
                                   {options_.recovery_point_checkpoint_interval, initial},
                                   {options_.log_start_checkpoint_interval, initial},
                                   {options_.producer_expiration_check_interval,
                                    options_.producer_expiration_check_interval},
                                   {options_.cleaner_backoff, options_.cleaner_backoff}}};
    const clock::time_point start = clock::now();
    for (periodic& t : tasks)
        if (t.fires() && t.first < clock_limit) t.due = start + t.first;
    // The timer belongs to this coroutine's strand from here on.
    asio::any_io_executor ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    while (!stopped_) {
        clock::time_point next = clock::time_point::max();
        for (const periodic& t : tasks) next = std::min(next, t.due);
        timer.expires_at(next);
        asio::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped_) break;
        const clock::time_point now = clock::now();
        std::array<bool, 6> due{};
        for (size_t i = 0; i < tasks.size(); ++i) {
            if (tasks[i].due > now) continue;
            due[i] = true;
            // Fixed delay after this run, so a slow pass never makes runs pile up.
            tasks[i].due = now + tasks[i].every;
        }
        // Stored first: no temporary with a destructor inside co_await (GCC 12).
        asio::awaitable<void> pass = housekeeping_pass({due[0], due[1], due[2], due[3], due[4], due[5]});
        co_await std::move(pass);
    }
}

std::vector<std::shared_ptr<partition>> replica_manager::hosted() const {
    map_ptr parts = std::atomic_load(&partitions_);
    std::vector<std::shared_ptr<partition>> out;
    out.reserve(parts->by_name.size());
    for (const auto& [key, p] : parts->by_name) out.push_back(p);
    return out;
}

asio::awaitable<void> replica_manager::housekeeping_pass(housekeeping_tasks tasks) {
    map_ptr parts = std::atomic_load(&partitions_);
    std::vector<log_offsets> offsets;
    const int64_t now = wall_clock_ms();
    for (const auto& [key, p] : parts->by_name) {
        const uint64_t map_bytes = options_.cleaner_map_bytes;
        auto visit = on(p, [now, tasks, map_bytes](partition& part) {
            if (tasks.retention) part.apply_retention(now);
            if (tasks.clean) part.clean(now, map_bytes);
            if (tasks.flush) part.maybe_flush(now);
            if (tasks.producer_expiry) part.remove_expired_producers(now);
            return offsets_of(part.topic(), part.index(), part.log_dir(), part.get_log());
        });
        offsets.push_back(co_await std::move(visit));
    }
    if (!stopped_ && (tasks.recovery_points || tasks.log_starts))
        logs_.write_checkpoints(offsets, tasks.recovery_points, tasks.log_starts);
}

void replica_manager::run_housekeeping() {
    int64_t now = wall_clock_ms();
    for_each_blocking([now](partition& p) {
        p.apply_retention(now);
        p.maybe_flush(now);
        p.remove_expired_producers(now);
    });
    logs_.write_checkpoints(collect_offsets(false));
}

void replica_manager::end_fetch_waits() {
    if (stopped_) return;
    // Before the wakes: a fetch registering after its strand's wake sees the flag.
    fetch_waits_ended_->store(true);
    for_each_blocking([](partition& p) { p.wake_fetches(); });
}

void replica_manager::for_each_blocking(const std::function<void(partition&)>& fn) {
    map_ptr parts = std::atomic_load(&partitions_);
    std::vector<std::future<void>> done;
    for (const auto& [key, p] : parts->by_name) {
        std::promise<void> promise;
        done.push_back(promise.get_future());
        asio::post(p->executor(), [p, &fn, promise = std::move(promise)]() mutable {
            fn(*p);
            promise.set_value();
        });
    }
    for (auto& f : done) f.wait();
}

std::vector<log_offsets> replica_manager::collect_offsets(bool close_logs) {
    map_ptr parts = std::atomic_load(&partitions_);
    std::vector<log_offsets> out(parts->by_name.size());
    std::vector<std::future<void>> done;
    size_t i = 0;
    for (const auto& [key, p] : parts->by_name) {
        std::promise<void> promise;
        done.push_back(promise.get_future());
        log_offsets* slot = &out[i++];
        asio::post(p->executor(), [p, slot, close_logs, promise = std::move(promise)]() mutable {
            log::log* l = p->get_log();
            if (l != nullptr && close_logs) (void)l->close();
            *slot = offsets_of(p->topic(), p->index(), p->log_dir(), l);
            promise.set_value();
        });
    }
    for (auto& f : done) f.wait();
    return out;
}

void replica_manager::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (started_) {
        std::vector<log_offsets> offsets = collect_offsets(true);
        int64_t broker_epoch = -1;
        if (metadata::image_ptr current = image()) {
            if (const metadata::broker_registration* b = current->broker(options_.node_id)) broker_epoch = b->epoch;
        }
        logs_.close(offsets, broker_epoch);
    }
    std::atomic_store(&partitions_, std::make_shared<const partition_map>());
    pool_.stop();
    pool_.join();
}

void replica_manager::apply_image(metadata::image_ptr image) {
    map_ptr old = std::atomic_load(&partitions_);
    auto next = std::make_shared<partition_map>();
    auto layers = controller::broker_layers::of(*image, options_.node_id, options_.static_configs);
    int64_t now = wall_clock_ms();

    // Partitions that leave this broker are closed first, and a deleted topic's directories
    // moved aside, before any log is opened below: a topic deleted and created again under
    // the same name in one image (or before the close ran) must not open the old files.
    const auto stays = [&](const partition& p) {
        const metadata::topic_image* t = image->topic(p.topic_id());
        if (t == nullptr || t->name != p.topic()) return false;
        auto it = t->partitions.find(p.index());
        return it != t->partitions.end() && it->second.leader == options_.node_id;
    };
    const auto deleted = [&](const partition& p) {
        const metadata::topic_image* t = image->topic(p.topic_id());
        return t == nullptr || t->partitions.count(p.index()) == 0;
    };
    std::vector<std::pair<std::shared_ptr<partition>, std::future<void>>> leaving;
    for (const auto& [key, p] : old->by_name) {
        if (stays(*p)) continue;
        std::promise<void> closed;
        leaving.emplace_back(p, closed.get_future());
        asio::post(p->executor(), [p, topic_deleted = deleted(*p), closed = std::move(closed)]() mutable {
            if (log::log* l = p->get_log()) (void)l->close();
            p->stop_leading(topic_deleted);
            closed.set_value();
        });
    }
    const auto delay = delete_delay(layers);
    for (auto& [p, closed] : leaving) {
        closed.wait();
        if (!deleted(*p)) continue;  // led elsewhere now
        auto retired = logs_.retire(p->log_dir(), p->topic(), p->index(), delete_dir_suffix);
        if (!retired) {
            replica_log().error("cannot move the deleted partition {}-{} aside in {}: {}", p->topic(),
                                p->index(), p->log_dir(), retired.error().message());
            continue;
        }
        replica_log().info("log of deleted partition {}-{} moved to {}; removed in {} ms", p->topic(),
                           p->index(), *retired, delay.count());
        schedule_removal(std::move(*retired), delay);
    }

    // Broker configs that may change at run time (Kafka's DynamicProducerStateManagerConfig).
    const int64_t producer_id_expiration_ms = controller::broker_number(
        "producer.id.expiration.ms", layers, log::log_config{}.producer_id_expiration_ms);
    const bool transaction_verification = controller::broker_flag(
        "transaction.partition.verification.enable", layers, log::log_config{}.transaction_verification);
    for (const auto& [id, topic] : image->topics()) {
        const metadata::config_map& overrides =
            image->configs(metadata::resource_type::topic, topic->name);
        topic_settings settings =
            parse_topic_settings(controller::effective_topic_configs(overrides, layers));
        settings.log.producer_id_expiration_ms = producer_id_expiration_ms;
        settings.log.transaction_verification = transaction_verification;
        settings.batch_validation = options_.batch_validation;
        for (const auto& [index, state] : topic->partitions) {
            if (state.leader != options_.node_id) continue;
            std::shared_ptr<partition> p;
            if (auto it = old->by_name.find(std::make_pair(topic->name, index));
                it != old->by_name.end() && it->second->topic_id() == topic->id && stays(*it->second)) {
                p = it->second;
            } else {
                std::string dir = logs_.choose_dir(topic->name, index);
                auto opened = open_partition_log(dir, *topic, index, settings, now);
                if (!opened) continue;
                // The pool's strand; produce and fetch may run it on their own thread
                // (on_each_here).
                using strand = asio::strand<caller_runs_executor<asio::thread_pool::executor_type>>;
                p = std::make_shared<partition>(strand(caller_runs_executor(pool_.get_executor())),
                                                topic->name, topic->id, index, dir,
                                                logs_.shared_fs(), fetch_waits_ended_);
                // Not yet published: no other thread can reach it.
                p->attach(std::move(opened));
            }
            asio::post(p->executor(), [p, epoch = state.leader_epoch, isr = state.isr.size(),
                                       replicas = state.replicas.size(), settings] {
                p->update(epoch, std::max<size_t>(isr, 1), std::max<size_t>(replicas, 1), settings);
            });
            next->by_name[{topic->name, index}] = p;
            next->by_id[{topic->id.bytes, index}] = p;
        }
    }
    std::atomic_store(&image_, image);
    std::atomic_store(&partitions_, map_ptr(next));
    if (!strays_checked_) {
        // The first image is the whole replayed metadata log (the metadata service
        // publishes nothing before its replay ends).
        strays_checked_ = true;
        set_aside_strays(*image, *next);
    }
}

void replica_manager::set_aside_strays(const metadata::metadata_image& image, const partition_map& opened) {
    for (const auto& [dir, name] : logs_.partition_dirs()) {
        auto parsed = log::parse_partition_dir_name(name);
        if (!parsed || parsed->first == controller::cluster_metadata_topic) continue;
        const auto& [topic, index] = *parsed;
        if (opened.by_name.contains(std::make_pair(topic, index))) continue;
        // Kafka's isStrayKraftReplica: the directory's topic id has no such partition in
        // the image, or the partition's replicas leave this broker out. A directory without
        // partition.metadata (an older Eddy's) is judged by its topic's name instead.
        const std::string path = log::join_path(dir, name);
        auto recorded = read_partition_metadata(logs_.fs(), path);
        const metadata::topic_image* t = nullptr;
        if (recorded && *recorded) t = image.topic(**recorded);
        else if (recorded) t = image.topic(topic);
        bool stray = t == nullptr || t->name != topic;
        if (!stray) {
            auto it = t->partitions.find(index);
            stray = it == t->partitions.end() ||
                    std::find(it->second.replicas.begin(), it->second.replicas.end(), options_.node_id) ==
                        it->second.replicas.end();
        }
        if (stray) set_aside_stray(dir, topic, index, "belongs to no partition of this broker in the metadata");
    }
}

bool replica_manager::set_aside_stray(const std::string& dir, const std::string& topic, int32_t index,
                                      std::string_view why) {
    const std::string path = log::join_path(dir, log::partition_dir_name(topic, index));
    auto aside = logs_.retire(dir, topic, index, stray_dir_suffix);
    if (!aside) {
        replica_log().error("{} {} and cannot be moved aside: {}", path, why, aside.error().message());
        return false;
    }
    replica_log().warn("{} {}; moved to {}", path, why, *aside);
    return true;
}

std::unique_ptr<log::log> replica_manager::open_partition_log(const std::string& dir,
                                                             const metadata::topic_image& topic,
                                                             int32_t index,
                                                             const topic_settings& settings,
                                                             int64_t now) {
    const std::string path =
        log::join_path(dir, log::partition_dir_name(topic.name, index));
    // A directory of the same name written for another topic id (one deleted while this
    // broker was down, say) is not this partition's: set it aside, as Kafka does with stray
    // logs, and start an empty log.
    auto recorded = read_partition_metadata(logs_.fs(), path);
    if (!recorded || (*recorded && **recorded != topic.id)) {
        if (!set_aside_stray(dir, topic.name, index,
                             recorded ? "belongs to another topic id" : "has an unreadable partition.metadata"))
            return nullptr;
        recorded = std::optional<codec::uuid>{};  // an empty log is created below
    }
    auto opened = logs_.open_log(dir, topic.name, index, settings.log, now);
    if (!opened) {
        replica_log().error("cannot open the log of {}-{} in {}: {}", topic.name, index, dir,
                            opened.error().message());
        return nullptr;
    }
    // Written before the partition takes its first append, as Kafka flushes it. A log
    // from before Eddy wrote the file is taken for this topic, since its name matches.
    if (!*recorded) {
        if (auto ec = write_partition_metadata(logs_.fs(), path, topic.id)) {
            replica_log().error("cannot write the partition.metadata of {}-{}: {}", topic.name, index,
                                ec.message());
            (void)(*opened)->close();
            return nullptr;
        }
    }
    return std::move(*opened);
}

void replica_manager::schedule_removal(std::string path, std::chrono::milliseconds delay) {
    auto timer = std::make_shared<asio::steady_timer>(pool_, delay);
    timer->async_wait([this, timer, path = std::move(path)](const asio::error_code& ec) {
        if (ec || stopped_) return;  // a stop leaves it for the next start
        if (auto rc = logs_.remove_retired(path)) {
            replica_log().warn("cannot remove {}: {}", path, rc.message());
            return;
        }
        replica_log().info("removed {}", path);
    });
}

std::shared_ptr<partition> replica_manager::find(std::string_view topic, int32_t index) const {
    map_ptr parts = std::atomic_load(&partitions_);
    auto it = parts->by_name.find(std::make_pair(std::string(topic), index));
    return it == parts->by_name.end() ? nullptr : it->second;
}

std::shared_ptr<partition> replica_manager::find(const codec::uuid& topic_id, int32_t index) const {
    map_ptr parts = std::atomic_load(&partitions_);
    auto it = parts->by_id.find(std::make_pair(topic_id.bytes, index));
    return it == parts->by_id.end() ? nullptr : it->second;
}

replica_manager::lookup_result replica_manager::lookup(std::string_view topic,
                                                       int32_t index) const {
    if (auto p = find(topic, index)) return {std::move(p), error_code::none};
    metadata::image_ptr img = image();
    const metadata::topic_image* t = img->topic(topic);
    if (t == nullptr || t->partitions.count(index) == 0)
        return {nullptr, error_code::unknown_topic_or_partition};
    return {nullptr, error_code::not_leader_or_follower};
}

replica_manager::lookup_result replica_manager::lookup(const codec::uuid& topic_id,
                                                       int32_t index) const {
    if (auto p = find(topic_id, index)) return {std::move(p), error_code::none};
    metadata::image_ptr img = image();
    const metadata::topic_image* t = img->topic(topic_id);
    if (t == nullptr) return {nullptr, error_code::unknown_topic_id};
    if (t->partitions.count(index) == 0) return {nullptr, error_code::unknown_topic_or_partition};
    return {nullptr, error_code::not_leader_or_follower};
}

}  // namespace eddy::cluster
