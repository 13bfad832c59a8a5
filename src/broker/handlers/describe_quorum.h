// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeQuorum (key 55), versions 0-2: the leader, epoch, high watermark and voters of
// the metadata quorum (kafka-metadata-quorum.sh describe --status / --replication,
// Admin.describeMetadataQuorum).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_quorum_request.h"
#include "eddy/msg/describe_quorum_response.h"

namespace eddy::broker {

struct describe_quorum_handler {
    using request = msg::describe_quorum_request;
    using response = msg::describe_quorum_response;
    static constexpr msg::api_key key = msg::api_key::describe_quorum;
    static constexpr version_range supported{0, 2};

    // A Kafka broker forwards this request to the active controller; here the controller
    // runs in this process, so the metadata service answers it.
    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
