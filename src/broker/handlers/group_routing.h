// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What the group api handlers share: creating __consumer_offsets on first use and running
// an operation on the coordinator shard that owns a group.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "group/runtime/coordinator_runtime.h"

namespace eddy::broker {

// The client's address as Kafka records it for DescribeGroups (InetAddress.toString():
// "/127.0.0.1").
std::string client_host(const request_context& ctx);

// The group type KIP-848 added is served here (group.coordinator.rebalance.protocols has
// "consumer"). True without a group runtime: the default, which ApiVersions then shows.
bool consumer_protocol_enabled(const request_context& ctx);

// The current metadata image (an empty one without metadata), for the consumer group
// operations: a handler takes it before going to the shard, which reads it through
// topics_of(); the image outlives the handler as long as the operation holds it.
metadata::image_ptr current_image(const request_context& ctx);
group::topic_view topics_of(metadata::image_ptr image);

// Creates __consumer_offsets when the image has no such topic, as Kafka does when a
// client first looks for a group coordinator; returns once the controller has answered.
asio::awaitable<void> ensure_offsets_topic(const request_context& ctx);

// Runs op(shard, now_ms, done) on the shard owning `group_id` (creating the topic first
// if it is missing). NOT_COORDINATOR when this broker does not host that shard.
template <class Response, class Op>
asio::awaitable<group::outcome<Response>> on_group_shard(const request_context& ctx,
                                                         const std::string& group_id, Op op) {
    group::coordinator_runtime* runtime = ctx.broker->groups.get();
    if (runtime == nullptr) co_return group::outcome<Response>{error_code::not_coordinator, {}};
    if (runtime->partition_count() == 0) {
        asio::awaitable<void> created = ensure_offsets_topic(ctx);
        co_await std::move(created);
    }
    asio::awaitable<group::outcome<Response>> done =
        runtime->call<Response>(runtime->partition_of(group_id), std::move(op));
    co_return co_await std::move(done);
}

// on_group_shard for the apis whose answer to an unreachable shard is their response with
// only error_code set (Heartbeat, LeaveGroup, SyncGroup, OffsetDelete).
template <class Response, class Op>
asio::awaitable<Response> answer_on_group_shard(const request_context& ctx,
                                                const std::string& group_id, Op op) {
    asio::awaitable<group::outcome<Response>> call =
        on_group_shard<Response>(ctx, group_id, std::move(op));
    group::outcome<Response> r = co_await std::move(call);
    if (r.error == error_code::none) co_return std::move(r.response);
    Response resp;
    resp.error_code = wire_code(r.error);
    co_return resp;
}

// Runs per_item(shard, item, now_ms) for every item on the shard owning key(item): one
// call per shard, the items of a shard in one go. One outcome per item, in order.
template <class Result, class Item, class Key, class PerItem>
asio::awaitable<std::vector<group::outcome<Result>>> for_each_group(const request_context& ctx,
                                                                    std::vector<Item> items,
                                                                    Key key, PerItem per_item) {
    std::vector<group::outcome<Result>> out(items.size());
    group::coordinator_runtime* runtime = ctx.broker->groups.get();
    if (runtime == nullptr) {
        for (auto& o : out) o.error = error_code::not_coordinator;
        co_return out;
    }
    if (runtime->partition_count() == 0 && !items.empty()) {
        asio::awaitable<void> created = ensure_offsets_topic(ctx);
        co_await std::move(created);
    }
    std::map<int32_t, std::vector<size_t>> shards;
    for (size_t i = 0; i < items.size(); ++i)
        shards[runtime->partition_of(key(items[i]))].push_back(i);
    for (const auto& [partition, indexes] : shards) {
        std::vector<Item> mine;
        for (size_t i : indexes) mine.push_back(items[i]);
        auto op = [mine = std::move(mine), per_item](group::coordinator_shard& shard, int64_t now,
                                                     group::reply<std::vector<Result>> done) {
            std::vector<Result> results;
            for (const Item& item : mine) results.push_back(per_item(shard, item, now));
            done(std::move(results));
        };
        asio::awaitable<group::outcome<std::vector<Result>>> call =
            runtime->call<std::vector<Result>>(partition, std::move(op));
        group::outcome<std::vector<Result>> r = co_await std::move(call);
        for (size_t k = 0; k < indexes.size(); ++k) {
            group::outcome<Result>& o = out[indexes[k]];
            o.error = r.error;
            if (r.error == error_code::none) o.response = std::move(r.response[k]);
        }
    }
    co_return out;
}

}  // namespace eddy::broker
