// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// OffsetForLeaderEpoch (key 23), versions 0-4: where a leader epoch ends in the log,
// so a consumer can detect truncation after a leader change.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/offset_for_leader_epoch_request.h"
#include "eddy/msg/offset_for_leader_epoch_response.h"

namespace eddy::broker {

struct offset_for_leader_epoch_handler {
    using request = msg::offset_for_leader_epoch_request;
    using response = msg::offset_for_leader_epoch_response;
    static constexpr msg::api_key key = msg::api_key::offset_for_leader_epoch;
    static constexpr version_range supported{0, 4};

    // The router's entry point: the broker's replica manager from the context.
    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
