// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CreatePartitions (key 37): raising a topic's partition count. The controller decides; this maps the request in and the
// response out.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/create_partitions_request.h"
#include "eddy/msg/create_partitions_response.h"

namespace eddy::broker {

struct create_partitions_handler {
    using request = msg::create_partitions_request;
    using response = msg::create_partitions_response;
    static constexpr msg::api_key key = msg::api_key::create_partitions;
    static constexpr version_range supported{0, 3};

    // Runs on the metadata service and resumes on the caller's executor. `ctx` outlives the
    // call (the router awaits it); so is the request (the router owns both).
    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
