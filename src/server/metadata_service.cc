// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/metadata_service.h"

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "common/logging.h"

namespace eddy::server {
namespace {

spdlog::logger& controller_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("controller");
    return *logger;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint64_t random_seed() {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

codec::uuid random_uuid() {
    std::mt19937_64 g(random_seed());
    codec::uuid id;
    for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(g() >> 13);
    return id;
}

controller::controller_options controller_options_of(const metadata_service_options& o) {
    controller::controller_options c;
    c.node_id = o.node_id;
    c.cluster_id = o.cluster_id;
    c.static_configs = o.static_configs;
    c.seed = random_seed();
    return c;
}

raft::quorum_options quorum_options_of(const metadata_service_options& o) {
    raft::quorum_options q;
    q.node_id = o.node_id;
    q.voters = o.voters;
    q.log_dir = o.metadata_log_dir;
    return q;
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
      image_(metadata::metadata_image::empty(options_.cluster_id)) {
    options_.self.broker_id = options_.node_id;
    options_.self.incarnation_id = random_uuid();
}

metadata_service::~metadata_service() { stop(); }

void metadata_service::on_image(std::function<void(metadata::image_ptr)> subscriber) {
    subscribers_.push_back(std::move(subscriber));
}

void metadata_service::start() {
    const int64_t now = now_ms();
    if (auto ec = quorum_.start(now)) {
        throw std::runtime_error(fmt::format("metadata log in {}: {} ({})", quorum_.partition_dir(),
                                             ec.message(), quorum_.last_error()));
    }
    if (auto ec = quorum_.poll(now, *this)) {
        throw std::runtime_error(fmt::format("replaying {}: {} ({})", quorum_.partition_dir(),
                                             ec.message(), quorum_.last_error()));
    }
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
        throw std::runtime_error(fmt::format("broker registration failed: error {}", reg.response.error_code));
    commit(reg.records);
    auto unfence = controller_.unfence_broker(self.broker_id, reg.response.broker_epoch);
    if (unfence.response != 0)
        throw std::runtime_error(fmt::format("broker unfencing failed: error {}", unfence.response));
    commit(unfence.records);
}

void metadata_service::stop() {
    if (!started_) return;
    started_ = false;
    work_.reset();
    if (thread_.joinable()) thread_.join();
    if (auto ec = quorum_.close()) controller_log().error("closing the metadata log: {}", ec.message());
}

void metadata_service::handle_commit(const raft::committed_batch& batch) {
    metadata::apply_status st = controller_.replay_framed(batch.records);
    if (!st.ok()) fatal(fmt::format("batch at offset {} does not apply: {}", batch.base_offset, st.error));
}

void metadata_service::commit(const std::vector<metadata::versioned_record>& records) {
    if (records.empty()) return;
    const int64_t now = now_ms();
    auto appended = quorum_.append(metadata::frame_records(records), now);
    if (!appended) fatal(fmt::format("append: {} ({})", appended.error().message(), quorum_.last_error()));
    if (auto ec = quorum_.poll(now, *this))
        fatal(fmt::format("replay: {} ({})", ec.message(), quorum_.last_error()));
    publish();
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

asio::awaitable<msg::create_topics_response> metadata_service::create_topics(
    msg::create_topics_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        auto r = controller_.create_topics(req, version, now_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<msg::delete_topics_response> metadata_service::delete_topics(
    msg::delete_topics_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        auto r = controller_.delete_topics(req, version, now_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<msg::create_partitions_response> metadata_service::create_partitions(
    msg::create_partitions_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        auto r = controller_.create_partitions(req, version, now_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<msg::describe_configs_response> metadata_service::describe_configs(
    msg::describe_configs_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        return controller_.describe_configs(req, version);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<msg::alter_configs_response> metadata_service::alter_configs(
    msg::alter_configs_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        auto r = controller_.alter_configs(req, version, now_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<msg::incremental_alter_configs_response> metadata_service::incremental_alter_configs(
    msg::incremental_alter_configs_request request, int16_t version) {
    auto op = [this, req = std::move(request), version] {
        auto r = controller_.incremental_alter_configs(req, version, now_ms());
        commit(r.records);
        return std::move(r.response);
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

asio::awaitable<std::vector<broker::auto_create_status>> metadata_service::auto_create_topics(
    std::vector<std::string> names, bool allowed) {
    auto op = [this, names = std::move(names), allowed] {
        auto r = controller_.auto_create_topics(names, allowed, now_ms());
        commit(r.records);
        std::vector<broker::auto_create_status> out;
        for (const auto& o : r.response) out.push_back({o.name, o.error_code});
        return out;
    };
    auto work = on_metadata_thread(std::move(op));
    co_return co_await std::move(work);
}

}  // namespace eddy::server
