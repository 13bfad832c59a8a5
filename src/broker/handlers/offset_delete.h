// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// OffsetDelete (key 47), version 0: deletes a group's committed offsets of some partitions.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/offset_delete_request.h"
#include "eddy/msg/offset_delete_response.h"

namespace eddy::broker {

struct offset_delete_handler {
    using request = msg::offset_delete_request;
    using response = msg::offset_delete_response;
    static constexpr msg::api_key key = msg::api_key::offset_delete;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
