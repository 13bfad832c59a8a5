// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The classic groups of one shard and the flows of the classic protocol, following Kafka's
// GroupMetadataManager: JoinGroup and the rebalance (group_join.cc), SyncGroup, Heartbeat,
// LeaveGroup and session expiry (group_membership.cc), admin, loading and unloading
// (group_admin.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eddy/msg/describe_groups_response.h"
#include "eddy/msg/heartbeat_request.h"
#include "eddy/msg/heartbeat_response.h"
#include "eddy/msg/join_group_request.h"
#include "eddy/msg/join_group_response.h"
#include "eddy/msg/leave_group_request.h"
#include "eddy/msg/leave_group_response.h"
#include "eddy/msg/list_groups_response.h"
#include "eddy/msg/sync_group_request.h"
#include "eddy/msg/sync_group_response.h"
#include "group/classic_group.h"
#include "group/records.h"
#include "group/shard_context.h"

namespace eddy::group {

// Lives on: the shard's executor.
class group_manager {
public:
    explicit group_manager(shard_context& ctx) : ctx_(ctx) {}

    void join(msg::join_group_request request, int16_t version, const client_identity& client,
              reply<msg::join_group_response> done);
    void sync(msg::sync_group_request request, int16_t version,
              reply<msg::sync_group_response> done);
    msg::heartbeat_response heartbeat(const msg::heartbeat_request& request);
    // Answers in the shape of `version`: before v3 one member, its error at the top level.
    msg::leave_group_response leave(const msg::leave_group_request& request, int16_t version);

    msg::describe_groups_response::described_group describe(const std::string& group_id) const;
    std::vector<msg::list_groups_response::listed_group> list(
        std::span<const std::string> states_filter,
        std::span<const std::string> types_filter) const;
    // NONE when the group may be deleted (it is Empty), else the error Kafka gives.
    int16_t validate_delete(const std::string& group_id) const;

    classic_group* find(const std::string& group_id);
    const classic_group* find(const std::string& group_id) const;
    // A group for offsets committed outside group management ("simple" group).
    // Created Empty with the given state timestamp (none when created by replay).
    classic_group& find_or_create_simple(const std::string& group_id,
                                         std::optional<int64_t> now_ms);
    const std::map<std::string, classic_group>& groups() const { return groups_; }
    // Restarts a member's session timer (heartbeats, commits, joins and syncs keep it alive).
    void reschedule_heartbeat(classic_group& group, classic_member& member);
    void reschedule_heartbeat(classic_group& group, classic_member& member, int64_t timeout_ms);

    // Replay of GroupMetadataKey/Value: the group as the record describes it, or gone.
    void replay(group_metadata_event event);
    void on_loaded();
    void on_unloaded();

private:
    // Joining (group_join.cc).
    void join_new_member(const msg::join_group_request& request, int16_t version,
                         const client_identity& client, classic_group& group,
                         reply<msg::join_group_response>& done);
    void join_existing_member(const msg::join_group_request& request,
                              const client_identity& client, classic_group& group,
                              reply<msg::join_group_response>& done);
    void add_member_then_rebalance(const msg::join_group_request& request,
                                   const client_identity& client, classic_group& group,
                                   const std::string& member_id,
                                   reply<msg::join_group_response> done);
    void update_member_then_rebalance(const msg::join_group_request& request,
                                      classic_group& group, classic_member& member,
                                      reply<msg::join_group_response> done);
    void update_static_member_then_rebalance(const msg::join_group_request& request,
                                             int16_t version, classic_group& group,
                                             const std::string& old_member_id,
                                             const std::string& new_member_id,
                                             reply<msg::join_group_response> done);
    bool accept_joining_member(const classic_group& group, const std::string& member_id) const;
    msg::join_group_response generation_reply(const classic_group& group,
                                              const std::string& member_id,
                                              bool with_members) const;

    // The rebalance (group_join.cc).
    void maybe_prepare_rebalance_or_complete_join(classic_group& group);
    void prepare_rebalance(classic_group& group);
    void maybe_complete_join_phase(classic_group& group);
    void try_complete_initial_rebalance(const std::string& group_id, int64_t delay_ms,
                                        int64_t remaining_ms);
    void complete_join(classic_group& group);
    void schedule_complete_join(classic_group& group, int64_t delay_ms);

    // Sync and sessions (group_membership.cc).
    void reset_and_propagate_assignment(classic_group& group, int16_t error);
    void set_and_propagate_assignment(classic_group& group,
                                      const std::map<std::string, std::vector<uint8_t>>& a);
    void propagate_assignment(classic_group& group, int16_t error);
    void remove_sync_expiration(classic_group& group);
    void remove_pending_sync_member(classic_group& group, const std::string& member_id);
    void schedule_pending_sync(classic_group& group);
    void expire_pending_sync(const std::string& group_id, int32_t generation);
    void expire_heartbeat(const std::string& group_id, const std::string& member_id);
    void remove_member_and_update_group(classic_group& group, const std::string& member_id);
    void remove_pending_member_and_update_group(classic_group& group,
                                                const std::string& member_id);
    void remove_current_member(classic_group& group, const std::string& member_id);
    // A pending member's deadline to rejoin with its new member id.
    void reschedule_pending(classic_group& group, const std::string& member_id,
                            int64_t timeout_ms);
    void cancel_heartbeat(const classic_group& group, const std::string& member_id);
    void cancel_group_timers(const classic_group& group);
    void write_group_record(const classic_group& group,
                            const std::map<std::string, std::vector<uint8_t>>& assignments);

    shard_context& ctx_;
    std::map<std::string, classic_group> groups_;
};

}  // namespace eddy::group
