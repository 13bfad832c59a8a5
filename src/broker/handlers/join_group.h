// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// JoinGroup (key 11), versions 0-9: joins a classic group and waits for the rebalance.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/join_group_request.h"
#include "eddy/msg/join_group_response.h"

namespace eddy::broker {

struct join_group_handler {
    using request = msg::join_group_request;
    using response = msg::join_group_response;
    static constexpr msg::api_key key = msg::api_key::join_group;
    static constexpr version_range supported{0, 9};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
