// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// IncrementalAlterConfigs (key 44): SET/DELETE/APPEND/SUBTRACT of single configs, which
// the controller decides; and SET/DELETE of this broker's log levels (BROKER_LOGGER),
// which it applies itself.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/incremental_alter_configs_request.h"
#include "eddy/msg/incremental_alter_configs_response.h"

namespace eddy::broker {

struct incremental_alter_configs_handler {
    using request = msg::incremental_alter_configs_request;
    using response = msg::incremental_alter_configs_response;
    static constexpr msg::api_key key = msg::api_key::incremental_alter_configs;
    static constexpr version_range supported{0, 1};

    // Runs on the metadata service and resumes on the caller's executor. `ctx` outlives the
    // call (the router awaits it); so is the request (the router owns both).
    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
