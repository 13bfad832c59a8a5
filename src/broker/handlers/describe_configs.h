// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeConfigs (key 32): topic and broker configs with their sources, synonyms and
// docs-free types, which the controller answers; and this broker's loggers
// (BROKER_LOGGER), which it answers itself.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_configs_request.h"
#include "eddy/msg/describe_configs_response.h"

namespace eddy::broker {

struct describe_configs_handler {
    using request = msg::describe_configs_request;
    using response = msg::describe_configs_response;
    static constexpr msg::api_key key = msg::api_key::describe_configs;
    static constexpr version_range supported{0, 4};

    // Runs on the metadata service and resumes on the caller's executor. `ctx` outlives the
    // call (the router awaits it); so is the request (the router owns both).
    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
