// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The KIP-848 consumer groups of one shard, following Kafka 3.9's GroupMetadataManager:
// ConsumerGroupHeartbeat (consumer_heartbeat.cc: join, heartbeat, target assignment,
// reconciliation), leave, session and rebalance timeouts, replay of the consumer group
// records, ConsumerGroupDescribe, and what the classic APIs and offsets need to know of
// consumer groups (consumer_group_manager.cc).
//
// Every change is computed against the state before the call, written as records, and then
// applied by replaying those records (ctx.append(record, true)), as Kafka's coordinator
// runtime does. Classic and consumer groups share the group-id space; there is no online
// upgrade or downgrade (group.consumer.migration.policy=disabled).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eddy/msg/consumer_group_describe_response.h"
#include "eddy/msg/consumer_group_heartbeat_request.h"
#include "eddy/msg/consumer_group_heartbeat_response.h"
#include "eddy/msg/list_groups_response.h"
#include "group/consumer_group.h"
#include "group/consumer_records.h"
#include "group/current_assignment.h"
#include "group/group_manager.h"
#include "group/shard_context.h"

namespace eddy::group {

// An error as Kafka's exceptions carry it: the code and the message the response gets.
struct api_error {
    int16_t code = 0;
    std::optional<std::string> message;
};

// Lives on: the shard's executor.
class consumer_group_manager {
public:
    consumer_group_manager(shard_context& ctx, group_manager& classic)
        : ctx_(ctx), classic_(classic) {}

    msg::consumer_group_heartbeat_response heartbeat(
        const msg::consumer_group_heartbeat_request& request, const client_identity& client,
        const topic_view& topics);
    msg::consumer_group_describe_response::described_group describe(
        const std::string& group_id, const topic_view& topics) const;
    std::vector<msg::list_groups_response::listed_group> list(
        std::span<const std::string> states_filter,
        std::span<const std::string> types_filter) const;

    consumer_group* find(const std::string& group_id);
    const consumer_group* find(const std::string& group_id) const;
    const std::map<std::string, consumer_group>& groups() const { return groups_; }
    // Writes the tombstones that delete a group (Kafka's createGroupTombstoneRecords).
    void delete_group(const std::string& group_id);

    // OffsetCommit / OffsetFetch checks against a consumer group (Kafka's ConsumerGroup
    // validateOffsetCommit / validateOffsetFetch): NONE or the error code. `version` is
    // the OffsetCommit version; TxnOffsetCommit (`transactional`) has no version rule.
    int16_t validate_offset_commit(const consumer_group& group, const std::string& member_id,
                                   int32_t member_epoch, int16_t version,
                                   bool transactional) const;
    int16_t validate_offset_fetch(const consumer_group& group,
                                  const std::optional<std::string>& member_id,
                                  int32_t member_epoch) const;

    void replay(consumer_group_event event);
    void on_loaded();

private:
    // The heartbeat flow (consumer_heartbeat.cc).
    msg::consumer_group_heartbeat_response join_or_heartbeat(
        const msg::consumer_group_heartbeat_request& request, const client_identity& client,
        const topic_view& topics, std::vector<coordinator_record>& records);
    msg::consumer_group_heartbeat_response leave(
        const msg::consumer_group_heartbeat_request& request, const topic_view& topics,
        std::vector<coordinator_record>& records);
    std::optional<api_error> validate(const msg::consumer_group_heartbeat_request& r) const;
    topic_partitions update_target_assignment(const consumer_group& group, int32_t group_epoch,
                                              const consumer_member& member,
                                              const consumer_member& updated,
                                              const subscription_metadata& metadata,
                                              std::vector<coordinator_record>& records) const;
    consumer_member maybe_reconcile(const consumer_group& group, const consumer_member& member,
                                    int32_t target_epoch, const topic_partitions& target,
                                    const owned_partitions& owned,
                                    std::vector<coordinator_record>& records);

    // Membership (consumer_group_manager.cc).
    // Kafka's consumerGroupFenceMember: tombstones for the member, the subscription metadata
    // without it, and a group epoch bump. Timers have no metadata image (null `topics`): the
    // remaining topics keep the metadata the group recorded at its last heartbeat.
    void fence_member(const consumer_group& group, const std::string& member_id,
                      const topic_view* topics, std::vector<coordinator_record>& records);
    void fence_from_timer(const std::string& group_id, const std::string& member_id,
                          std::optional<int32_t> only_at_epoch);
    void schedule_session_timeout(const std::string& group_id, const std::string& member_id);
    void schedule_rebalance_timeout(const std::string& group_id, const consumer_member& m);
    void cancel_timers(const std::string& group_id, const std::string& member_id);
    // Applies records by replaying them, in order.
    void write(std::vector<coordinator_record>& records);

    shard_context& ctx_;
    group_manager& classic_;
    std::map<std::string, consumer_group> groups_;
};

// The subscription metadata of the given subscribed topic names as the image has them.
subscription_metadata compute_subscription_metadata(const std::map<std::string, int>& names,
                                                    const topic_view& topics);

}  // namespace eddy::group
