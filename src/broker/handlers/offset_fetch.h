// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// OffsetFetch (key 9), versions 0-9: a group's committed offsets; several groups from v8.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/offset_fetch_request.h"
#include "eddy/msg/offset_fetch_response.h"

namespace eddy::broker {

struct offset_fetch_handler {
    using request = msg::offset_fetch_request;
    using response = msg::offset_fetch_response;
    static constexpr msg::api_key key = msg::api_key::offset_fetch;
    static constexpr version_range supported{0, 9};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
