// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Creating an internal topic (__consumer_offsets, __transaction_state) the first time a
// client needs its coordinator, as Kafka's AutoTopicCreationManager does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "eddy/msg/create_topics_request.h"

namespace eddy::broker {

struct internal_topic {
    std::string_view name;
    int16_t replication_factor = 3;  // the configured one; capped to the live brokers
    // One creation at a time: `begin` is true for the caller that may start one, which
    // then calls `end` (the coordinator runtime's begin/end_topic_creation).
    std::function<bool()> begin;
    std::function<void()> end;
    // The CreateTopics request Eddy sends when Kafka's own path refuses (replication factor
    // above the live brokers): with `rf` replicas.
    std::function<msg::create_topics_request(int16_t rf)> request;
};

// The CreateTopics request for an internal topic: `configs` are the topic's own settings,
// and it is compacted (its state must never age out).
msg::create_topics_request internal_topic_request(
    std::string_view name, int32_t partitions, int16_t rf,
    std::vector<std::pair<std::string, std::string>> configs);

// Creates `topic` when the image has no such topic; returns once the controller has
// answered (the image may still lack it: the caller answers COORDINATOR_NOT_AVAILABLE and
// the client retries).
asio::awaitable<void> ensure_internal_topic(const request_context& ctx, internal_topic topic);

}  // namespace eddy::broker
