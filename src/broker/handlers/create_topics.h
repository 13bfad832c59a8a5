// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CreateTopics (key 19): topics with their partitions, replication and configs; validate_only checks without creating. The controller decides; this maps the request in and the
// response out.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"

namespace eddy::broker {

struct create_topics_handler {
    using request = msg::create_topics_request;
    using response = msg::create_topics_response;
    static constexpr msg::api_key key = msg::api_key::create_topics;
    static constexpr version_range supported{0, 7};

    // Runs on the metadata service and resumes on the caller's executor. `ctx` outlives the
    // call (the router awaits it); so is the request (the router owns both).
    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
