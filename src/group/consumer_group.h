// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One KIP-848 consumer group (Kafka's ConsumerGroup and ConsumerGroupMember): its members
// with their subscriptions and current assignments, the group epoch, the target assignment
// and its epoch, and the topic metadata of the subscription. Changed only by the replay of
// consumer group records (consumer_group_manager::replay), so a group rebuilt from the log
// equals the one that wrote it. The flows that decide what to write live in
// consumer_group_manager.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "eddy/msg/consumer_group_describe_response.h"
#include "eddy/msg/list_groups_response.h"
#include "group/assignor.h"
#include "group/coordinator_shard.h"

namespace eddy::group {

// Kafka's MemberState, by the byte ConsumerGroupCurrentMemberAssignmentValue stores.
enum class member_state : int8_t {
    stable = 0,
    unrevoked_partitions = 1,
    unreleased_partitions = 2,
    unknown = 127,
};
member_state member_state_from(int8_t value);

// Member epochs a ConsumerGroupHeartbeat uses to leave.
inline constexpr int32_t leave_group_member_epoch = -1;
inline constexpr int32_t leave_group_static_member_epoch = -2;

struct consumer_member {
    std::string member_id;
    int32_t member_epoch = 0;
    int32_t previous_member_epoch = -1;
    member_state state = member_state::stable;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    int32_t rebalance_timeout_ms = -1;
    std::string client_id;
    std::string client_host;
    std::set<std::string> subscribed_topic_names;
    std::optional<std::string> subscribed_topic_regex = std::string();
    std::optional<std::string> server_assignor;
    topic_partitions assigned;
    topic_partitions pending_revocation;

    bool operator==(const consumer_member&) const = default;
    // Kafka's isReconciledTo: stable at the target assignment epoch.
    bool is_reconciled_to(int32_t epoch) const {
        return state == member_state::stable && member_epoch == epoch;
    }
};

// A subscribed topic as the group's subscription metadata records it.
struct subscribed_topic {
    codec::uuid id;
    std::string name;
    int32_t partitions = 0;
    bool operator==(const subscribed_topic&) const = default;
};
using subscription_metadata = std::map<std::string, subscribed_topic>;  // by topic name

enum class consumer_group_state { empty, assigning, reconciling, stable, dead };
// Kafka's names: "Empty", "Assigning", "Reconciling", "Stable", "Dead".
std::string_view state_name(consumer_group_state state);

// Lives on: the shard's executor.
class consumer_group {
public:
    explicit consumer_group(std::string id) : id_(std::move(id)) {}

    const std::string& id() const { return id_; }
    consumer_group_state state() const { return state_; }
    bool is_empty() const { return state_ == consumer_group_state::empty; }
    int32_t group_epoch() const { return group_epoch_; }
    int32_t assignment_epoch() const { return assignment_epoch_; }
    const subscription_metadata& metadata() const { return metadata_; }

    const std::map<std::string, consumer_member>& members() const { return members_; }
    const consumer_member* member(const std::string& member_id) const;
    bool has_member(const std::string& member_id) const { return members_.count(member_id) != 0; }
    // The member id holding a static instance id, or null.
    const std::string* static_member_id(const std::optional<std::string>& instance_id) const;
    const consumer_member* static_member(const std::optional<std::string>& instance_id) const;

    // topic name -> number of members subscribing to it.
    const std::map<std::string, int>& subscribed_topic_names() const { return subscribed_; }
    bool is_subscribed_to_topic(const std::string& topic) const { return subscribed_.count(topic); }
    // The counts as they would be with `old_member` replaced by `new_member` (either null).
    std::map<std::string, int> subscribed_topic_names_with(const consumer_member* old_member,
                                                           const consumer_member* new_member) const;
    // The assignor most members name (ties: the first name in order); nullopt if none does.
    std::optional<std::string> preferred_assignor(const consumer_member* old_member = nullptr,
                                                  const consumer_member* new_member = nullptr) const;

    const std::map<std::string, topic_partitions>& target_assignment() const { return target_; }
    // A member's target assignment (empty when it has none).
    const topic_partitions& target_of(const std::string& member_id) const;
    // Kafka's targetAssignment(memberId, instanceId): a static member's is its instance's.
    const topic_partitions& target_of(const std::string& member_id,
                                      const std::optional<std::string>& instance_id) const;
    // The epoch of the member that owns the partition (assigned or pending revocation), or -1.
    int32_t partition_epoch(const codec::uuid& topic, int32_t partition) const;

    // --- replay ---
    void set_group_epoch(int32_t epoch);
    void set_assignment_epoch(int32_t epoch);
    void set_metadata(subscription_metadata metadata) { metadata_ = std::move(metadata); }
    void update_member(consumer_member member);
    void remove_member(const std::string& member_id);
    void update_target(const std::string& member_id, topic_partitions assignment);
    void remove_target(const std::string& member_id);

    msg::consumer_group_describe_response::described_group describe(
        const std::string& default_assignor, const topic_view& topics) const;
    msg::list_groups_response::listed_group listed() const;

private:
    void update_state();
    void count(const consumer_member& m, int delta);
    void add_epochs(const consumer_member& m);
    void remove_epochs(const consumer_member& m);

    std::string id_;
    consumer_group_state state_ = consumer_group_state::empty;
    int32_t group_epoch_ = 0;
    int32_t assignment_epoch_ = 0;
    subscription_metadata metadata_;
    std::map<std::string, consumer_member> members_;
    std::map<std::string, std::string> static_members_;  // instance id -> member id
    std::map<std::string, int> subscribed_;
    std::map<std::string, int> assignors_;
    std::map<std::string, topic_partitions> target_;
    std::map<codec::uuid, std::map<int32_t, int32_t>, topic_id_less> partition_epochs_;
};

}  // namespace eddy::group
