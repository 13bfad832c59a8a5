// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The metadata service: the controller and the metadata quorum on one thread of their own.
// Every controller operation runs there in turn: operation -> records -> raft append (one
// batch, committed once durable) -> controller replay -> a new image published to handlers
// (an atomically swapped pointer) and to subscribers. Snapshots of the image are written
// there too, after the commit that passes metadata.log.max.record.bytes.between.snapshots
// or metadata.log.max.snapshot.interval.ms (read from the static configs with Kafka's
// names and defaults, as are metadata.log.segment.bytes and metadata.log.segment.ms).
#pragma once

#include "broker/cluster_metadata.h"
#include "controller/controller.h"
#include "log/filesystem.h"
#include "metadata/snapshot_trigger.h"
#include "raft/quorum.h"

#include <asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace eddy::server {

struct metadata_service_options {
    int32_t node_id = 1;
    std::string cluster_id;  // from meta.properties
    // server.properties as given: the controller's static configs.
    controller::static_config static_configs;
    // metadata.log.dir, else the first of log.dirs.
    std::string metadata_log_dir;
    std::vector<int32_t> voters;  // controller.quorum.voters ids; empty = this node
    // How this broker registers (advertised endpoints, rack); the incarnation id is made
    // at start.
    controller::broker_registration_request self;
};

// Lives on: its own thread (an io_context run by one thread is the strand every operation
// and every replay runs on). start()/stop() from the controlling thread; image() and the
// awaitable operations from any thread.
class metadata_service final : public broker::cluster_metadata, private raft::raft_listener {
public:
    explicit metadata_service(metadata_service_options options);
    ~metadata_service() override;  // stop()

    // Subscribers see every published image, in order, starting with the image replayed
    // at start() (called on the thread running start(), before the metadata thread exists),
    // then on the metadata thread. Register before start(); a subscriber must not block for
    // long (post work elsewhere).
    void on_image(std::function<void(metadata::image_ptr)> subscriber);

    // Recovers the metadata log and replays it (from the newest snapshot, then the log after
    // it); on a brand-new log writes the bootstrap
    // records (metadata.version, this broker's registration), else re-registers this broker
    // (new endpoints, new broker epoch). Then starts the thread. Throws std::runtime_error on
    // a failure (startup only).
    void start();
    // Finishes the operation in progress, stops the thread and closes the log. Operations
    // awaited after stop() never complete: stop the network first.
    void stop();

    metadata::image_ptr image() const override { return image_.load(); }

    asio::awaitable<msg::create_topics_response> create_topics(msg::create_topics_request request,
                                                               int16_t version) override;
    asio::awaitable<msg::delete_topics_response> delete_topics(msg::delete_topics_request request,
                                                               int16_t version) override;
    asio::awaitable<msg::create_partitions_response> create_partitions(
        msg::create_partitions_request request, int16_t version) override;
    asio::awaitable<msg::describe_configs_response> describe_configs(
        msg::describe_configs_request request, int16_t version) override;
    asio::awaitable<msg::alter_configs_response> alter_configs(msg::alter_configs_request request,
                                                               int16_t version) override;
    asio::awaitable<msg::incremental_alter_configs_response> incremental_alter_configs(
        msg::incremental_alter_configs_request request, int16_t version) override;
    asio::awaitable<broker::producer_id_range> allocate_producer_ids() override;
    asio::awaitable<broker::quorum_status> describe_quorum() override;
    asio::awaitable<std::vector<broker::auto_create_status>> auto_create_topics(
        std::vector<std::string> names, bool allowed) override;

    // For tests and logs: the quorum's epoch and high watermark (metadata thread only).
    const raft::quorum& quorum() const { return quorum_; }

private:
    void handle_snapshot(const raft::snapshot_contents& snapshot) override;
    void handle_commit(const raft::committed_batch& batch) override;

    // Appends an operation's records as one batch, replays them and publishes the image.
    // A metadata log that cannot be written is fatal, as in Kafka (the process stops).
    void commit(const std::vector<metadata::versioned_record>& records);
    void publish();
    void register_self();
    // Writes a snapshot of the replayed image when the trigger asked for one. A snapshot
    // that cannot be written is logged and skipped: the log still holds everything.
    void maybe_write_snapshot();

    // Runs `op` on the metadata thread and resumes on the caller's executor.
    template <class Op>
    asio::awaitable<std::invoke_result_t<Op&>> on_metadata_thread(Op op);
    // Runs the controller operation `op(controller, now_ms)` (a controller_result) on the
    // metadata thread, commits its records and returns its response.
    template <class Op>
    auto submit(Op op) -> asio::awaitable<
        decltype(std::declval<Op&>()(std::declval<controller::controller&>(), int64_t{}).response)>;
    // submit() of the controller method `method(request, version, now_ms)`.
    template <class Method, class Request>
    auto submit_request(Method method, Request request, int16_t version);

    metadata_service_options options_;
    std::unique_ptr<log::filesystem> fs_;
    raft::quorum quorum_;
    controller::controller controller_;
    metadata::snapshot_trigger snapshot_trigger_;
    std::optional<std::string> snapshot_due_;  // why, when the trigger fired
    std::atomic<metadata::image_ptr> image_;
    metadata::image_ptr published_;  // the last image subscribers saw (metadata thread)
    std::vector<std::function<void(metadata::image_ptr)>> subscribers_;
    asio::io_context io_{1};
    std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
    bool started_ = false;
};

}  // namespace eddy::server
