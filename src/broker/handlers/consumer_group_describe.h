// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ConsumerGroupDescribe (key 69), version 0: members, epochs and assignments of KIP-848
// consumer groups, each group asked of the shard that owns it. UNSUPPORTED_VERSION for
// every group when "consumer" is not in group.coordinator.rebalance.protocols.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/consumer_group_describe_request.h"
#include "eddy/msg/consumer_group_describe_response.h"

namespace eddy::broker {

struct consumer_group_describe_handler {
    using request = msg::consumer_group_describe_request;
    using response = msg::consumer_group_describe_response;
    static constexpr msg::api_key key = msg::api_key::consumer_group_describe;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
