// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DeleteGroups (key 42), versions 0-2: deletes empty groups and their offsets.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/delete_groups_request.h"
#include "eddy/msg/delete_groups_response.h"

namespace eddy::broker {

struct delete_groups_handler {
    using request = msg::delete_groups_request;
    using response = msg::delete_groups_response;
    static constexpr msg::api_key key = msg::api_key::delete_groups;
    static constexpr version_range supported{0, 2};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
