// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeGroups (key 15), versions 0-5: state and members of groups.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_groups_request.h"
#include "eddy/msg/describe_groups_response.h"

namespace eddy::broker {

struct describe_groups_handler {
    using request = msg::describe_groups_request;
    using response = msg::describe_groups_response;
    static constexpr msg::api_key key = msg::api_key::describe_groups;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
