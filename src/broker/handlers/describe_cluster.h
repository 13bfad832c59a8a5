// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeCluster (key 60), versions 0-1: the cluster id, the brokers reachable on the
// listener asked, a live broker as the controller, and the cluster operations allowed
// (Admin.describeCluster, which falls back to Metadata only when a broker lacks this api).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_cluster_request.h"
#include "eddy/msg/describe_cluster_response.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

struct describe_cluster_handler {
    using request = msg::describe_cluster_request;
    using response = msg::describe_cluster_response;
    static constexpr msg::api_key key = msg::api_key::describe_cluster;
    static constexpr version_range supported{0, 1};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
    // The answer given `image`. Pure: for the handler and its tests.
    static response answer(const request_context& ctx, const request& req,
                           const metadata::metadata_image& image);
};

}  // namespace eddy::broker
