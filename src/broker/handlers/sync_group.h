// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// SyncGroup (key 14), versions 0-5: the leader hands out assignments; members get theirs.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/sync_group_request.h"
#include "eddy/msg/sync_group_response.h"

namespace eddy::broker {

struct sync_group_handler {
    using request = msg::sync_group_request;
    using response = msg::sync_group_response;
    static constexpr msg::api_key key = msg::api_key::sync_group;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
