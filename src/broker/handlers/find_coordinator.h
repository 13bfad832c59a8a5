// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// FindCoordinator (key 10), versions 0-6: the broker leading the __consumer_offsets
// partition of a group or the __transaction_state partition of a transactional id
// (creating the topic on first use); batched keys from v4.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/find_coordinator_request.h"
#include "eddy/msg/find_coordinator_response.h"

namespace eddy::broker {

struct find_coordinator_handler {
    using request = msg::find_coordinator_request;
    using response = msg::find_coordinator_response;
    static constexpr msg::api_key key = msg::api_key::find_coordinator;
    static constexpr version_range supported{0, 6};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
