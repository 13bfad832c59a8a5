// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ConsumerGroupHeartbeat (key 68), version 0: a KIP-848 consumer joins, heartbeats,
// reconciles its assignment and leaves. UNSUPPORTED_VERSION when "consumer" is not in
// group.coordinator.rebalance.protocols, as Kafka answers then.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/consumer_group_heartbeat_request.h"
#include "eddy/msg/consumer_group_heartbeat_response.h"

namespace eddy::broker {

struct consumer_group_heartbeat_handler {
    using request = msg::consumer_group_heartbeat_request;
    using response = msg::consumer_group_heartbeat_response;
    static constexpr msg::api_key key = msg::api_key::consumer_group_heartbeat;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
