// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ListOffsets (key 2), versions 1-9: latest, earliest, max timestamp, earliest local,
// or the first offset at or after a timestamp; read_committed (isolation level 1) answers
// below the last stable offset.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/list_offsets_request.h"
#include "eddy/msg/list_offsets_response.h"

namespace eddy::broker {

struct list_offsets_handler {
    using request = msg::list_offsets_request;
    using response = msg::list_offsets_response;
    static constexpr msg::api_key key = msg::api_key::list_offsets;
    // v0 (a list of old-style offsets) is not served.
    static constexpr version_range supported{1, 9};

    // The router's entry point: the broker's replica manager from the context.
    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
