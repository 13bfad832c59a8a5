// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DeleteRecords (key 21), versions 0-2: moves a partition's log start offset up.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/delete_records_request.h"
#include "eddy/msg/delete_records_response.h"

namespace eddy::broker {

struct delete_records_handler {
    using request = msg::delete_records_request;
    using response = msg::delete_records_response;
    static constexpr msg::api_key key = msg::api_key::delete_records;
    static constexpr version_range supported{0, 2};

    // The router's entry point: the broker's replica manager from the context.
    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
