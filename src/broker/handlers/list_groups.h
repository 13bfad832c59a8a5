// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ListGroups (key 16), versions 0-5: the groups of every coordinator shard hosted here.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/list_groups_request.h"
#include "eddy/msg/list_groups_response.h"

namespace eddy::broker {

struct list_groups_handler {
    using request = msg::list_groups_request;
    using response = msg::list_groups_response;
    static constexpr msg::api_key key = msg::api_key::list_groups;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
