// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ListTransactions (key 66): the transactions of every transaction coordinator shard here.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/list_transactions_request.h"
#include "eddy/msg/list_transactions_response.h"

namespace eddy::broker {

struct list_transactions_handler {
    using request = msg::list_transactions_request;
    using response = msg::list_transactions_response;
    static constexpr msg::api_key key = msg::api_key::list_transactions;
    static constexpr version_range supported{0, 1};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
