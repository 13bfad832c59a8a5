// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Heartbeat (key 12), versions 0-4: keeps a member's session alive.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/heartbeat_request.h"
#include "eddy/msg/heartbeat_response.h"

namespace eddy::broker {

struct heartbeat_handler {
    using request = msg::heartbeat_request;
    using response = msg::heartbeat_response;
    static constexpr msg::api_key key = msg::api_key::heartbeat;
    static constexpr version_range supported{0, 4};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
