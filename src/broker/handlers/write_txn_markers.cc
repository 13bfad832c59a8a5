// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/write_txn_markers.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "broker/txn_marker_writer.h"

namespace eddy::broker {
namespace {

// One partition a marker goes to.
struct marker_target {
    size_t marker = 0;  // index into the request's markers
    std::string topic;
    int32_t partition = 0;
};

// Kafka's handler: the transaction coordinator does not expect the group coordinator's
// "not ready" errors, so they reach it as NOT_LEADER_OR_FOLLOWER, which it retries.
error_code for_coordinator(error_code e) {
    if (e == error_code::coordinator_not_available || e == error_code::coordinator_load_in_progress ||
        e == error_code::not_coordinator)
        return error_code::not_leader_or_follower;
    return e;
}

// Writes every target's marker at once; completes, on the caller's executor, with their
// errors in target order once the last is done.
auto write_all(std::shared_ptr<const broker_info> broker, std::vector<marker_target> targets,
               std::vector<record::txn_marker> markers) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::vector<error_code>)>(
        [](auto handler, std::shared_ptr<const broker_info> broker,
           std::vector<marker_target> targets, std::vector<record::txn_marker> markers) {
            using handler_t = decltype(handler);
            // The writers answer on any thread; the last one hands the errors back.
            struct state {
                std::mutex mutex;
                std::vector<error_code> errors;
                size_t left = 0;
                std::optional<handler_t> handler;
            };
            auto s = std::make_shared<state>();
            s->errors.assign(targets.size(), error_code::none);
            s->left = targets.size();
            s->handler.emplace(std::move(handler));
            auto finish = [s] {
                handler_t h = std::move(*s->handler);
                s->handler.reset();
                auto ex = asio::get_associated_executor(h);
                asio::post(ex, [h = std::move(h), errors = std::move(s->errors)]() mutable {
                    std::move(h)(std::move(errors));
                });
            };
            if (targets.empty()) {
                finish();
                return;
            }
            for (size_t i = 0; i < targets.size(); ++i) {
                const marker_target& t = targets[i];
                write_txn_marker(*broker, t.topic, t.partition, markers[t.marker],
                                 [s, i, finish](error_code e) {
                                     std::unique_lock lock(s->mutex);
                                     s->errors[i] = e;
                                     if (--s->left != 0) return;
                                     lock.unlock();
                                     finish();
                                 });
            }
        },
        asio::use_awaitable, std::move(broker), std::move(targets), std::move(markers));
}

}  // namespace

asio::awaitable<write_txn_markers_handler::response> write_txn_markers_handler::handle(
    request_context& ctx, request&& req) {
    std::vector<record::txn_marker> markers;
    std::vector<marker_target> targets;
    for (const auto& m : req.markers) {
        markers.push_back({.producer_id = m.producer_id,
                           .producer_epoch = m.producer_epoch,
                           .coordinator_epoch = m.coordinator_epoch,
                           .commit = m.transaction_result});
        for (const auto& t : m.topics)
            for (int32_t index : t.partition_indexes)
                targets.push_back({.marker = markers.size() - 1, .topic = t.name, .partition = index});
    }
    // Built outside the co_await: GCC 12 destroys temporaries of a co_await expression
    // while the operation still uses them.
    auto writes = write_all(ctx.broker, targets, markers);
    std::vector<error_code> errors = co_await std::move(writes);

    // Kafka keys the answer by producer id: markers of one producer share an entry, and
    // their partitions are listed per topic.
    response resp;
    for (size_t i = 0; i < targets.size(); ++i) {
        const marker_target& t = targets[i];
        const int64_t pid = markers[t.marker].producer_id;
        auto result = std::find_if(resp.markers.begin(), resp.markers.end(),
                                   [pid](const auto& r) { return r.producer_id == pid; });
        if (result == resp.markers.end()) {
            result = resp.markers.emplace(resp.markers.end());
            result->producer_id = pid;
        }
        auto topic = std::find_if(result->topics.begin(), result->topics.end(),
                                  [&t](const auto& r) { return r.name == t.topic; });
        if (topic == result->topics.end()) {
            topic = result->topics.emplace(result->topics.end());
            topic->name = t.topic;
        }
        auto& p = topic->partitions.emplace_back();
        p.partition_index = t.partition;
        p.error_code = wire_code(for_coordinator(errors[i]));
    }
    co_return resp;
}

}  // namespace eddy::broker
