// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeProducers (key 61), version 0: the idempotent and transactional producers each
// partition led here knows (kafka-transactions.sh describe-producers).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_producers_request.h"
#include "eddy/msg/describe_producers_response.h"

namespace eddy::broker {

struct describe_producers_handler {
    using request = msg::describe_producers_request;
    using response = msg::describe_producers_response;
    static constexpr msg::api_key key = msg::api_key::describe_producers;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
