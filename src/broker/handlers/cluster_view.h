// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What Metadata, DescribeCluster and DescribeTopicPartitions tell a client alike: the
// brokers it can reach on the listener it came in on, which replicas are offline, Kafka's
// topic name rules, and the operations it may perform.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/request_context.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

// Without an authorizer Kafka reports every operation a resource type supports:
// bits of AclOperation codes. Cluster: CREATE(5) ALTER(7) DESCRIBE(8)
// CLUSTER_ACTION(9) DESCRIBE_CONFIGS(10) ALTER_CONFIGS(11) IDEMPOTENT_WRITE(12).
inline constexpr int32_t all_cluster_operations =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

// Topic: READ(3) WRITE(4) CREATE(5) DELETE(6) ALTER(7) DESCRIBE(8)
// DESCRIBE_CONFIGS(10) ALTER_CONFIGS(11).
inline constexpr int32_t all_topic_operations =
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

// Kafka's topic name rule: 1-249 of [a-zA-Z0-9._-], and not "." or "..".
bool valid_topic_name(std::string_view name);

// The replicas of `replicas` on brokers that are fenced or not registered.
std::vector<int32_t> offline_replicas(const metadata::metadata_image& image,
                                      const std::vector<int32_t>& replicas);

// A broker clients can reach on `listener`: registered, unfenced, with that listener.
const metadata::broker_endpoint* live_endpoint(const metadata::metadata_image& image, int32_t id,
                                               const std::string& listener);

struct reachable_broker {
    int32_t id = -1;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
};

// The brokers with their address on the listener `ctx` came in on, by id; one without that
// listener, or fenced, is left out, as Kafka does. Before any registration (a handler
// test without a metadata log), this broker alone.
std::vector<reachable_broker> reachable_brokers(const request_context& ctx,
                                                const metadata::metadata_image& image);

}  // namespace eddy::broker
