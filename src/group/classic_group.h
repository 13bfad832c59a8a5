// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One classic group (JoinGroup/SyncGroup protocol): its members, state, generation and the
// protocol it selected, with the bookkeeping Kafka's ClassicGroup keeps (members awaiting a
// JoinGroup reply, pending members of KIP-394, members yet to send SyncGroup). The flows
// that drive it live in group_manager; this class only keeps its own invariants.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/msg/describe_groups_response.h"
#include "eddy/msg/group_metadata_value.h"
#include "eddy/msg/join_group_response.h"
#include "eddy/msg/sync_group_response.h"
#include "group/coordinator_shard.h"

namespace eddy::group {

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
std::string_view state_name(group_state state);

// Replies are not made while the shard's state is half-updated: they queue here and the
// shard makes them when the call that produced them returns.
using outbox = std::vector<std::function<void()>>;

template <class Response>
void post(outbox& out, reply<Response> fn, Response response) {
    out.push_back([fn = std::move(fn), r = std::move(response)]() mutable { fn(std::move(r)); });
}

struct member_protocol {
    std::string name;
    std::vector<uint8_t> metadata;
    bool operator==(const member_protocol&) const = default;
};

struct classic_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    int32_t session_timeout_ms = 0;
    std::string protocol_type;
    std::vector<member_protocol> protocols;  // in the member's order of preference
    std::vector<uint8_t> assignment;
    reply<msg::join_group_response> awaiting_join;
    reply<msg::sync_group_response> awaiting_sync;
    // Joined but not yet answered with a generation: its session is not yet running.
    bool is_new = false;

    bool is_awaiting_join() const { return static_cast<bool>(awaiting_join); }
    bool is_awaiting_sync() const { return static_cast<bool>(awaiting_sync); }
    bool is_static() const { return group_instance_id.has_value(); }
    // Whether a session expiry may pass over it: members parked in a rebalance count as
    // alive, except new members, whose parked JoinGroup may be a dead client's.
    bool has_satisfied_heartbeat() const {
        return !is_new && (is_awaiting_join() || is_awaiting_sync());
    }
    // The metadata sent for `protocol`, or null.
    const std::vector<uint8_t>* metadata(const std::string& protocol) const;
};

// Lives on: the shard's executor.
class classic_group {
public:
    classic_group(std::string id, group_state state, std::optional<int64_t> state_timestamp_ms);

    const std::string& id() const { return id_; }
    group_state state() const { return state_; }
    group_state previous_state() const { return previous_state_; }
    bool is(group_state s) const { return state_ == s; }
    int32_t generation() const { return generation_; }
    const std::optional<std::string>& protocol_type() const { return protocol_type_; }
    const std::optional<std::string>& protocol_name() const { return protocol_name_; }
    const std::optional<std::string>& leader() const { return leader_; }
    std::optional<int64_t> state_timestamp_ms() const { return state_timestamp_ms_; }
    bool is_leader(const std::string& member_id) const { return leader_ == member_id; }
    bool uses_consumer_protocol() const;

    // Members.
    std::map<std::string, classic_member>& members() { return members_; }
    const std::map<std::string, classic_member>& members() const { return members_; }
    classic_member* member(const std::string& member_id);
    bool has_member(const std::string& member_id) const { return members_.count(member_id) != 0; }
    size_t size() const { return members_.size(); }
    // Adds a member (its awaiting_join may be set); the first member sets the protocol type
    // and becomes leader. The caller has checked supports_protocols().
    void add(classic_member member);
    // Removes a member or pending member; a removed leader passes leadership on. Replies
    // still parked for the member are answered UNKNOWN_MEMBER_ID so nothing is left hanging.
    void remove(const std::string& member_id, outbox& out);
    // Replaces the member of a static instance by a new member id (KIP-345). Parked replies
    // of the old member id are answered FENCED_INSTANCE_ID. Returns the new member.
    classic_member& replace_static_member(const std::string& instance_id,
                                          const std::string& old_member_id,
                                          const std::string& new_member_id, outbox& out);
    void update_member(classic_member& member, std::vector<member_protocol> protocols,
                       int32_t rebalance_timeout_ms, int32_t session_timeout_ms,
                       reply<msg::join_group_response> done, outbox& out);
    // Answers the member's parked JoinGroup / SyncGroup; false when none was parked.
    bool complete_join(classic_member& member, msg::join_group_response response, outbox& out);
    bool complete_sync(classic_member& member, msg::sync_group_response response, outbox& out);

    // Static members (group.instance.id -> member id).
    const std::string* static_member_id(const std::string& instance_id) const;
    // FENCED_INSTANCE_ID / UNKNOWN_MEMBER_ID / NONE, as Kafka's ClassicGroup.validateMember.
    int16_t validate_member(const std::string& member_id,
                            const std::optional<std::string>& instance_id) const;

    // Pending members: got MEMBER_ID_REQUIRED and must rejoin with their new id (KIP-394).
    bool is_pending(const std::string& member_id) const { return pending_join_.count(member_id); }
    void add_pending(const std::string& member_id) { pending_join_.insert(member_id); }
    const std::set<std::string>& pending_members() const { return pending_join_; }

    // Members that have not sent SyncGroup for the current generation.
    std::set<std::string>& pending_sync() { return pending_sync_; }

    size_t num_awaiting_join() const { return num_awaiting_join_; }
    bool has_all_members_joined() const {
        return members_.size() == num_awaiting_join_ && pending_join_.empty();
    }
    // Whether a new member joined during the initial (delayed) rebalance.
    bool new_member_added = false;
    // The largest rebalance timeout of the members.
    int32_t rebalance_timeout_ms() const;
    // Leader keeps its seat when it rejoined, else a rejoined member takes it; false when
    // no member has rejoined.
    bool maybe_elect_new_joined_leader();

    // Protocol selection.
    bool supports_protocols(const std::string& protocol_type,
                            const std::vector<member_protocol>& protocols) const;
    // The protocol every member supports that most members prefer. Needs a member.
    std::string select_protocol() const;
    bool can_rebalance() const;
    void transition_to(group_state state, int64_t now_ms);
    // Next generation: CompletingRebalance with a selected protocol, or Empty.
    void init_next_generation(int64_t now_ms);

    // The union of the members' subscriptions for protocol type "consumer"; nullopt when
    // unknown (other protocol types, undecodable metadata).
    const std::optional<std::set<std::string>>& subscribed_topics() const { return subscribed_; }
    bool is_subscribed_to_topic(const std::string& topic) const;

    // The JoinGroup reply's member list, for the leader.
    std::vector<msg::join_group_response::join_group_response_member> join_members() const;
    // The GroupMetadataValue that records this group with the given assignments.
    msg::group_metadata_value to_record(
        const std::map<std::string, std::vector<uint8_t>>& assignments) const;
    // The group as a GroupMetadataValue record describes it (state Empty or Stable).
    static classic_group from_record(const std::string& id, const msg::group_metadata_value& v);
    msg::describe_groups_response::described_group describe() const;

private:
    void count_protocols(const classic_member& member, int delta);
    void compute_subscribed_topics();

    std::string id_;
    group_state state_;
    group_state previous_state_ = group_state::dead;
    std::optional<int64_t> state_timestamp_ms_;
    std::optional<std::string> protocol_type_;
    std::optional<std::string> protocol_name_;
    int32_t generation_ = 0;
    std::optional<std::string> leader_;
    std::map<std::string, classic_member> members_;
    std::map<std::string, std::string> static_members_;
    std::set<std::string> pending_join_;
    std::set<std::string> pending_sync_;
    size_t num_awaiting_join_ = 0;
    std::map<std::string, size_t> supported_protocols_;  // protocol -> members supporting it
    std::optional<std::set<std::string>> subscribed_;
};

}  // namespace eddy::group
