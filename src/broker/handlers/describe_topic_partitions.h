// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeTopicPartitions (key 75), version 0: topics and their partitions' leaders,
// replicas and ISR from the metadata image, a bounded number of partitions per answer with
// a cursor for the rest (KIP-966; Admin.describeTopics from Kafka 3.8, kafka-topics.sh
// --describe).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_topic_partitions_request.h"
#include "eddy/msg/describe_topic_partitions_response.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

struct describe_topic_partitions_handler {
    using request = msg::describe_topic_partitions_request;
    using response = msg::describe_topic_partitions_response;
    static constexpr msg::api_key key = msg::api_key::describe_topic_partitions;
    static constexpr version_range supported{0, 0};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
    // The answer given `image`. Pure: for the handler and its tests.
    static response answer(const request_context& ctx, const request& req,
                           const metadata::metadata_image& image);
};

}  // namespace eddy::broker
