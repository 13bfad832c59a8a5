// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// EndTxn (key 26): commits or aborts a producer's transaction; answered once PrepareCommit /
// PrepareAbort is durable, the markers follow.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/end_txn_request.h"
#include "eddy/msg/end_txn_response.h"

namespace eddy::broker {

struct end_txn_handler {
    using request = msg::end_txn_request;
    using response = msg::end_txn_response;
    static constexpr msg::api_key key = msg::api_key::end_txn;
    static constexpr version_range supported{0, 4};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
