// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeTransactions (key 65): the state of transactional ids this broker coordinates.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_transactions_request.h"
#include "eddy/msg/describe_transactions_response.h"

namespace eddy::broker {

struct describe_transactions_handler {
    using request = msg::describe_transactions_request;
    using response = msg::describe_transactions_response;
    static constexpr msg::api_key key = msg::api_key::describe_transactions;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
