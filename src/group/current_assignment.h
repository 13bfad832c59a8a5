// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reconciliation of a consumer group member towards its target assignment (Kafka's
// CurrentAssignmentBuilder): partitions leave a member first (UNREVOKED_PARTITIONS until
// the member stops reporting them), and are given to their new owner only once no other
// member holds them (UNRELEASED_PARTITIONS until then).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "eddy/msg/consumer_group_heartbeat_request.h"
#include "group/consumer_group.h"

namespace eddy::group {

using owned_partitions =
    std::optional<std::vector<msg::consumer_group_heartbeat_request::topic_partitions_data>>;

struct reconcile_input {
    int32_t target_epoch = 0;
    const topic_partitions* target = nullptr;
    // The epoch of the member currently holding a partition, or -1 when it is free.
    std::function<int32_t(const codec::uuid&, int32_t)> partition_epoch;
    // What the member reported owning (null: not reported in this heartbeat).
    const owned_partitions* owned = nullptr;
};

// The member's next state. Returns nullopt when a member in an unknown state must be
// fenced (it reported partitions, or none at all).
std::optional<consumer_member> reconcile(const consumer_member& member, const reconcile_input& in);

// Whether every reported partition is in `assignment` (a null report is not a subset).
bool is_subset(const owned_partitions& owned, const topic_partitions& assignment);

}  // namespace eddy::group
