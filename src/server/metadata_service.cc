// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/metadata_service.h"

#include "cluster/partition_metadata_file.h"
#include "common/logging.h"
#include "common/wall_clock.h"
#include "eddy/codec/random_uuid.h"
#include "metadata/snapshot.h"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace eddy::server {
namespace {

spdlog::logger& controller_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("controller");
    return *logger;
}

controller::controller_options controller_options_of(const metadata_service_options& o) {
    controller::controller_options c;
    c.node_id = o.node_id;
    c.cluster_id = o.cluster_id;
    c.static_configs = o.static_configs;
    c.seed = codec::random_seed();
    return c;
}

// A numeric static config with Kafka's name, default and lower bound; a bad value stops
// start-up, as Kafka's config validation does.
int64_t long_setting(const controller::static_config& configs, std::string_view name,
                     int64_t fallback, int64_t at_least) {
    auto it = configs.find(name);
    if (it == configs.end()) return fallback;
    int64_t v = 0;
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < at_least) {
        throw std::runtime_error(
            fmt::format("{}={} is not a number of at least {}", name, text, at_least));
    }
    return v;
}

raft::quorum_options quorum_options_of(const metadata_service_options& o) {
    raft::quorum_options q;
    q.node_id = o.node_id;
    q.voters = o.voters;
    q.log_dir = o.metadata_log_dir;
    const auto& c = o.static_configs;
    // KafkaMetadataLog refuses segments below metadata.log.segment.min.bytes (8 MiB, a
    // testing override).
    const int64_t min_segment = long_setting(c, "metadata.log.segment.min.bytes", 8 << 20, 12);
    q.log_config.segment_bytes = static_cast<uint64_t>(
        long_setting(c, "metadata.log.segment.bytes", 1073741824, min_segment));
    q.log_config.segment_ms = long_setting(c, "metadata.log.segment.ms", 604800000, 1);
    return q;
}

metadata::snapshot_trigger_config snapshot_config_of(const metadata_service_options& o) {
    metadata::snapshot_trigger_config t;
    t.max_bytes_between_snapshots =
        long_setting(o.static_configs, "metadata.log.max.record.bytes.between.snapshots",
                     t.max_bytes_between_snapshots, 1);
    t.max_interval_ms = long_setting(o.static_configs, "metadata.log.max.snapshot.interval.ms",
                                     t.max_interval_ms, 0);
    return t;
}

// KafkaMetadataLog keeps partition.metadata in __cluster_metadata-0 as every partition
// directory has it, holding the metadata topic's fixed id; a directory that names another
// topic, or whose file does not parse, stops start-up (InconsistentTopicIdException, or the
// file's read error).
void keep_metadata_topic_id(log::filesystem& fs, const std::string& dir) {
    auto stored = cluster::read_partition_metadata(fs, dir);
    if (!stored) {
        throw std::runtime_error(fmt::format("{}/{} cannot be read: {}", dir, cluster::partition_metadata_name,
                                             stored.error().message()));
    }
    if (!*stored) {
        if (auto ec = cluster::write_partition_metadata(fs, dir, raft::metadata_topic_id)) {
            throw std::runtime_error(fmt::format("cannot write {}/{}: {}", dir, cluster::partition_metadata_name,
                                                 ec.message()));
        }
    } else if (**stored != raft::metadata_topic_id) {
        throw std::runtime_error(fmt::format("{}/{} names another topic than __cluster_metadata", dir,
                                             cluster::partition_metadata_name));
    }
}

// The metadata log is the cluster's source of truth: when it cannot be written or does not
// replay, Kafka's fault handler stops the process, and so does Eddy.
[[noreturn]] void fatal(const std::string& what) {
    controller_log().critical("fatal metadata error: {}", what);
    spdlog::default_logger()->flush();
    std::abort();
}

// The coroutine co_spawn runs on the metadata thread; it owns the operation.
template <class Op>
asio::awaitable<std::invoke_result_t<Op&>> run_op(Op op) {
    co_return op();
}

}  // namespace

metadata_service::metadata_service(metadata_service_options options)
    : options_(std::move(options)),
      fs_(log::make_posix_filesystem()),
      quorum_(*fs_, quorum_options_of(options_)),
      controller_(controller_options_of(options_)),
      snapshot_trigger_(snapshot_config_of(options_), wall_clock_ms()),
      image_(metadata::metadata_image::empty(options_.cluster_id)) {
    options_.self.broker_id = options_.node_id;
    options_.self.incarnation_id = codec::random_uuid();
}

metadata_service::~metadata_service() { stop(); }

void metadata_service::on_image(std::function<void(metadata::image_ptr)> subscriber) {
    subscribers_.push_back(std::move(subscriber));
}

void metadata_service::start() {
    const int64_t now = wall_clock_ms();
    if (auto ec = quorum_.start(now)) {
        throw std::runtime_error(fmt::format("metadata log in {}: {} ({})", quorum_.partition_dir(),
                                             ec.message(), quorum_.last_error()));
    }
    keep_metadata_topic_id(*fs_, quorum_.partition_dir());
    if (auto ec = quorum_.poll(now, *this)) {
        throw std::runtime_error(fmt::format("replaying {}: {} ({})", quorum_.partition_dir(),
                                             ec.message(), quorum_.last_error()));
    }
    maybe_write_snapshot();
    controller_log().info("replayed the metadata log to offset {} ({} topics, epoch {})",
                          quorum_.high_watermark(), controller_.image()->topics().size(),
                          quorum_.epoch());
    if (controller_.image()->metadata_version() == 0) {
        // A brand-new cluster: what `kafka-storage format` bootstraps, and this broker.
        commit(controller_.bootstrap_records(options_.self));
    } else {
        register_self();
    }
    publish();
    work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
    started_ = true;
}

void metadata_service::register_self() {
    controller::broker_registration_request self = options_.self;
    // A restarted single node finds its old registration unfenced: with no heartbeat
    // sessions yet it re-registers under the stored incarnation, so the controller's
    // duplicate-registration check (meant for two live processes) does not refuse it.
    if (const metadata::broker_registration* old = controller_.image()->broker(self.broker_id))
        self.incarnation_id = old->incarnation_id;
    auto reg = controller_.register_broker(self);
    if (reg.response.error_code != 0)
        throw std::runtime_error(
            fmt::format("broker registration failed: error {}", reg.response.error_code));
    commit(reg.records);
    auto unfence = controller_.unfence_broker(self.broker_id, reg.response.broker_epoch);
    if (unfence.response != 0)
        throw std::runtime_error(
            fmt::format("broker unfencing failed: error {}", unfence.response));
    commit(unfence.records);
}

void metadata_service::stop() {
    if (!started_) return;
    started_ = false;
    work_.reset();
    if (thread_.joinable()) thread_.join();
    if (auto ec = quorum_.close())
        controller_log().error("closing the metadata log: {}", ec.message());
}

void metadata_service::handle_snapshot(const raft::snapshot_contents& snapshot) {
    // The snapshot is the whole state at its end offset: start again from nothing.
    controller_ = controller::controller(controller_options_of(options_));
    metadata::apply_status st = controller_.replay_framed(snapshot.records);
    if (!st.ok()) {
        fatal(fmt::format("snapshot {} does not apply: {}", raft::snapshot_file_name(snapshot.id),
                          st.error));
    }
    snapshot_trigger_.reset(wall_clock_ms());
}

void metadata_service::handle_commit(const raft::committed_batch& batch) {
    metadata::apply_status st = controller_.replay_framed(batch.records);
    if (!st.ok())
        fatal(fmt::format("batch at offset {} does not apply: {}", batch.base_offset, st.error));
    if (auto why = snapshot_trigger_.batch_replayed(batch.size_bytes, wall_clock_ms())) {
        snapshot_due_ = std::move(why);
    }
}

void metadata_service::maybe_write_snapshot() {
    if (!snapshot_due_) return;
    const std::string why = std::move(*snapshot_due_);
    snapshot_due_.reset();
    // The controller's image is the state of exactly the batches delivered so far.
    const raft::delivered_position at = quorum_.delivered();
    const raft::snapshot_id id{at.end_offset, at.epoch};
    const int64_t now = wall_clock_ms();
    auto writer = quorum_.create_snapshot(id, at.last_timestamp, now);
    if (writer && !*writer) return;  // one at this offset exists already
    std::error_code ec = writer.error();
    if (!ec) {
        controller_log().info("writing metadata snapshot {} because {}",
                              raft::snapshot_file_name(id), why);
        const std::vector<std::vector<uint8_t>> frames =
            metadata::frame_records(metadata::snapshot_records(*controller_.image()));
        ec = (*writer)->append(frames, now);
        if (!ec) ec = quorum_.finish_snapshot(**writer, now);
    }
    if (ec) {
        controller_log().error("cannot write metadata snapshot {}: {} ({})",
                               raft::snapshot_file_name(id), ec.message(), quorum_.last_error());
    }
}

void metadata_service::commit(const std::vector<metadata::versioned_record>& records) {
    if (records.empty()) return;
    const int64_t now = wall_clock_ms();
    auto appended = quorum_.append(metadata::frame_records(records), now);
    if (!appended)
        fatal(fmt::format("append: {} ({})", appended.error().message(), quorum_.last_error()));
    if (auto ec = quorum_.poll(now, *this))
        fatal(fmt::format("replay: {} ({})", ec.message(), quorum_.last_error()));
    publish();
    maybe_write_snapshot();
}

void metadata_service::publish() {
    metadata::image_ptr next = controller_.image();
    if (published_ == next) return;
    published_ = next;
    image_.store(next);
    for (const auto& s : subscribers_) s(next);
}

template <class Op>
asio::awaitable<std::invoke_result_t<Op&>> metadata_service::on_metadata_thread(Op op) {
    // Named, not temporaries in the co_await expression: GCC 12 destroys some such
    // temporaries twice.
    asio::awaitable<std::invoke_result_t<Op&>> task = run_op(std::move(op));
    auto spawned = asio::co_spawn(io_.get_executor(), std::move(task), asio::use_awaitable);
    co_return co_await std::move(spawned);
}

template <class Op>
auto metadata_service::submit(Op op) -> asio::awaitable<
    decltype(std::declval<Op&>()(std::declval<controller::controller&>(), int64_t{}).response)> {
    auto run = [this, op = std::move(op)]() mutable {
        auto r = op(controller_, wall_clock_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(run));
    co_return co_await std::move(work);
}

template <class Method, class Request>
auto metadata_service::submit_request(Method method, Request request, int16_t version) {
    return submit(
        [method, req = std::move(request), version](controller::controller& c, int64_t now) {
            return (c.*method)(req, version, now);
        });
}

asio::awaitable<msg::create_topics_response> metadata_service::create_topics(
    msg::create_topics_request request, int16_t version) {
    return submit_request(&controller::controller::create_topics, std::move(request), version);
}

asio::awaitable<msg::delete_topics_response> metadata_service::delete_topics(
    msg::delete_topics_request request, int16_t version) {
    return submit_request(&controller::controller::delete_topics, std::move(request), version);
}

asio::awaitable<msg::create_partitions_response> metadata_service::create_partitions(
    msg::create_partitions_request request, int16_t version) {
    return submit_request(&controller::controller::create_partitions, std::move(request), version);
}

asio::awaitable<msg::describe_configs_response> metadata_service::describe_configs(
    msg::describe_configs_request request, int16_t version) {
    // Read-only: no records, so no commit.
    return on_metadata_thread([this, req = std::move(request), version] {
        return controller_.describe_configs(req, version);
    });
}

asio::awaitable<broker::quorum_status> metadata_service::describe_quorum() {
    return on_metadata_thread([this] {
        broker::quorum_status st;
        st.leader_id = quorum_.leader_id();
        st.leader_epoch = quorum_.epoch();
        st.high_watermark = quorum_.high_watermark();
        st.leader_end_offset = quorum_.end_offset();
        st.voters = quorum_.voters();
        std::sort(st.voters.begin(), st.voters.end());
        return st;
    });
}

asio::awaitable<msg::alter_configs_response> metadata_service::alter_configs(
    msg::alter_configs_request request, int16_t version) {
    return submit_request(&controller::controller::alter_configs, std::move(request), version);
}

asio::awaitable<msg::incremental_alter_configs_response>
metadata_service::incremental_alter_configs(msg::incremental_alter_configs_request request,
                                            int16_t version) {
    return submit_request(&controller::controller::incremental_alter_configs, std::move(request),
                          version);
}

asio::awaitable<broker::producer_id_range> metadata_service::allocate_producer_ids() {
    const int32_t self = options_.node_id;
    return submit([self](controller::controller& c, int64_t) {
        // This node's current broker epoch, as a broker's AllocateProducerIds carries it.
        const metadata::broker_registration* b = c.image()->broker(self);
        auto r = c.allocate_producer_ids(self, b ? b->epoch : -1);
        return controller::controller_result<broker::producer_id_range>{
            std::move(r.records),
            {r.response.error_code, r.response.first_producer_id, r.response.size}};
    });
}

asio::awaitable<std::vector<broker::auto_create_status>> metadata_service::auto_create_topics(
    std::vector<std::string> names, bool allowed) {
    return submit([names = std::move(names), allowed](controller::controller& c, int64_t now) {
        auto r = c.auto_create_topics(names, allowed, now);
        controller::controller_result<std::vector<broker::auto_create_status>> out{
            std::move(r.records), {}};
        for (const auto& o : r.response) out.response.push_back({o.name, o.error_code});
        return out;
    });
}

}  // namespace eddy::server
