// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// OffsetCommit (key 8), versions 0-9: stores a group's committed offsets.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"

namespace eddy::broker {

struct offset_commit_handler {
    using request = msg::offset_commit_request;
    using response = msg::offset_commit_response;
    static constexpr msg::api_key key = msg::api_key::offset_commit;
    static constexpr version_range supported{0, 9};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
