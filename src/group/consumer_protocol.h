// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reads the topics a "consumer" protocol member subscribes to from its JoinGroup metadata
// (ConsumerProtocolSubscription behind an int16 version).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>

namespace eddy::group {

inline constexpr std::string_view consumer_protocol_type = "consumer";

// Adds the subscribed topics to `out`; false when the bytes are not a subscription. Like
// Kafka, every version is read as its v0 prefix (topics, user data), which all versions share.
bool add_subscribed_topics(std::span<const uint8_t> metadata, std::set<std::string>& out);

}  // namespace eddy::group
