// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// LeaveGroup (key 13), versions 0-5: members leave a classic group.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/leave_group_request.h"
#include "eddy/msg/leave_group_response.h"

namespace eddy::broker {

struct leave_group_handler {
    using request = msg::leave_group_request;
    using response = msg::leave_group_response;
    static constexpr msg::api_key key = msg::api_key::leave_group;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
