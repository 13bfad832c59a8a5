// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Server-side partition assignors of KIP-848 consumer groups ("uniform" and "range", as
// Kafka 3.9 names them in group.consumer.assignors). An assignor is a pure function from the
// members' subscriptions and current target assignment to a new target assignment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::group {

// Orders topic ids so they can key a std::map (the broker's metadata has its own; the group
// module does not depend on it).
struct topic_id_less {
    bool operator()(const codec::uuid& a, const codec::uuid& b) const { return a.bytes < b.bytes; }
};

// Partitions per topic: an assignment of one member.
using topic_partitions = std::map<codec::uuid, std::set<int32_t>, topic_id_less>;

// One member as the assignor sees it.
struct assignor_member {
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    // The topics the member subscribes to that exist (ids); never empty topics.
    std::set<codec::uuid, topic_id_less> subscribed_topic_ids;
    // The member's current target assignment (empty for a new member): what a sticky
    // assignor keeps where it can.
    topic_partitions current_assignment;
};

struct assignor_topic {
    std::string name;
    int32_t partitions = 0;
};

struct assignment_spec {
    // Every member of the group, by member id (ordered: assignors iterate members in a
    // deterministic order, so replicas and tests compute the same result).
    std::map<std::string, assignor_member> members;
    // Every topic some member subscribes to, with its partition count.
    std::map<codec::uuid, assignor_topic, topic_id_less> topics;
};

// member id -> its new target assignment. Every member of the spec has an entry (possibly
// empty); a partition is assigned to at most one member; only partitions of topics a
// member subscribes to are assigned to it.
using target_assignment = std::map<std::string, topic_partitions>;

class partition_assignor {
public:
    virtual ~partition_assignor() = default;
    virtual std::string_view name() const = 0;
    virtual target_assignment assign(const assignment_spec& spec) const = 0;
};

// Kafka 3.9's UniformAssignor: balanced (member counts differ by at most one where
// subscriptions allow) and sticky (a member keeps what it had where balance allows).
const partition_assignor& uniform_assignor();
// Kafka 3.9's server-side RangeAssignor: per topic, contiguous ranges over the subscribed
// members in member-id order, so co-partitioned topics land together.
const partition_assignor& range_assignor();
// By the name a client sends in ServerAssignor; nullptr when unknown.
const partition_assignor* find_assignor(std::string_view name);

}  // namespace eddy::group
