// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's topic name rules (org.apache.kafka.common.internals.Topic).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "metadata/metadata_image.h"

namespace eddy::controller {

inline constexpr std::string_view group_metadata_topic = "__consumer_offsets";
inline constexpr std::string_view transaction_state_topic = "__transaction_state";
inline constexpr std::string_view cluster_metadata_topic = "__cluster_metadata";

// Topic.validate's message ("Topic name is invalid: ...") when `name` is not a legal
// topic name (empty, "." or "..", longer than 249, a character outside [a-zA-Z0-9._-]).
std::optional<std::string> topic_name_error(std::string_view name);

// Topic.isInternal: __consumer_offsets, __transaction_state, __share_group_state.
bool is_internal_topic(std::string_view name);

// An existing topic whose name equals `name` once '.' and '_' are made the same
// (Kafka refuses such a new topic: their metric names would collide); the least such
// name, or nullopt. A topic never collides with itself.
std::optional<std::string> colliding_topic(const metadata::metadata_image& image,
                                           std::string_view name);

}  // namespace eddy::controller
