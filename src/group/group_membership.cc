// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// SyncGroup, Heartbeat, LeaveGroup and the member timers (session, pending member, sync).
#include "eddy/error_code.h"
#include "group/group_manager.h"

namespace eddy::group {
namespace {

msg::sync_group_response sync_error(int16_t error) {
    msg::sync_group_response r;
    r.error_code = error;
    return r;
}

// A protocol type or name that both sides know and that differ.
bool inconsistent(const std::optional<std::string>& requested,
                  const std::optional<std::string>& group) {
    return requested && group && *requested != *group;
}

}  // namespace

void group_manager::sync(msg::sync_group_request request, int16_t version,
                         reply<msg::sync_group_response> done) {
    auto& out = ctx_.replies;
    if (request.group_id.empty()) {
        return post(out, std::move(done), sync_error(wire_code(error_code::invalid_group_id)));
    }
    // From v5 the protocol type and name are mandatory (Kafka checks this in KafkaApis).
    if (version >= 5 && (!request.protocol_type || !request.protocol_name)) {
        return post(out, std::move(done),
                    sync_error(wire_code(error_code::inconsistent_group_protocol)));
    }
    classic_group* group = find(request.group_id);
    if (!group || group->is(group_state::empty)) {
        return post(out, std::move(done), sync_error(wire_code(error_code::unknown_member_id)));
    }
    int16_t error = wire_code(error_code::none);
    if (group->is(group_state::dead)) {
        error = wire_code(error_code::coordinator_not_available);
    } else if ((error = group->validate_member(request.member_id, request.group_instance_id))) {
    } else if (request.generation_id != group->generation()) {
        error = wire_code(error_code::illegal_generation);
    } else if (inconsistent(request.protocol_type, group->protocol_type()) ||
               inconsistent(request.protocol_name, group->protocol_name())) {
        error = wire_code(error_code::inconsistent_group_protocol);
    } else if (group->is(group_state::preparing_rebalance)) {
        error = wire_code(error_code::rebalance_in_progress);
    }
    if (error) return post(out, std::move(done), sync_error(error));

    classic_member& member = *group->member(request.member_id);
    if (group->is(group_state::stable)) {
        remove_pending_sync_member(*group, member.member_id);
        msg::sync_group_response r;
        r.protocol_type = group->protocol_type();
        r.protocol_name = group->protocol_name();
        r.assignment = member.assignment;
        post(out, std::move(done), std::move(r));
        // A SyncGroup is a sign of life, as in Kafka's original (Scala) coordinator.
        reschedule_heartbeat(*group, member);
        return;
    }

    // CompletingRebalance: park the reply until the leader's assignment is stored.
    if (member.is_awaiting_sync()) {
        // A repeated SyncGroup replaces the parked one (as in Kafka); answer the old one.
        group->complete_sync(member, sync_error(wire_code(error_code::rebalance_in_progress)), out);
    }
    member.awaiting_sync = std::move(done);
    remove_pending_sync_member(*group, member.member_id);
    if (!group->is_leader(member.member_id)) return;

    // Members the leader left out get an empty assignment.
    std::map<std::string, std::vector<uint8_t>> assignments;
    for (auto& a : request.assignments) assignments[a.member_id] = std::move(a.assignment);
    for (const auto& [id, _] : group->members()) assignments.try_emplace(id);
    // Kafka answers the members once this record is durable; the runtime holds replies
    // until the records taken with them are, so the group moves on at once.
    write_group_record(*group, assignments);
    set_and_propagate_assignment(*group, assignments);
    group->transition_to(group_state::stable, ctx_.now_ms);
}

void group_manager::reset_and_propagate_assignment(classic_group& group, int16_t error) {
    for (auto& [_, m] : group.members()) m.assignment.clear();
    propagate_assignment(group, error);
}

void group_manager::set_and_propagate_assignment(
    classic_group& group, const std::map<std::string, std::vector<uint8_t>>& assignments) {
    for (auto& [id, m] : group.members()) {
        auto it = assignments.find(id);
        m.assignment = it == assignments.end() ? std::vector<uint8_t>{} : it->second;
    }
    propagate_assignment(group, wire_code(error_code::none));
}

void group_manager::propagate_assignment(classic_group& group, int16_t error) {
    for (auto& [_, m] : group.members()) {
        msg::sync_group_response r;
        r.error_code = error;
        if (error == wire_code(error_code::none)) {
            r.protocol_type = group.protocol_type();
            r.protocol_name = group.protocol_name();
        }
        r.assignment = m.assignment;
        // A session that ran out while the member waited for its assignment was passed
        // over; start it again now that the member has its answer.
        if (group.complete_sync(m, std::move(r), ctx_.replies)) reschedule_heartbeat(group, m);
    }
}

void group_manager::remove_sync_expiration(classic_group& group) {
    group.pending_sync().clear();
    ctx_.timers.cancel({timer_kind::sync, group.id(), {}});
}

void group_manager::remove_pending_sync_member(classic_group& group,
                                               const std::string& member_id) {
    group.pending_sync().erase(member_id);
    const bool syncing =
        group.is(group_state::completing_rebalance) || group.is(group_state::stable);
    if (!syncing || group.pending_sync().empty()) {
        ctx_.timers.cancel({timer_kind::sync, group.id(), {}});
    }
}

void group_manager::schedule_pending_sync(classic_group& group) {
    const std::string id = group.id();
    const int32_t generation = group.generation();
    ctx_.timers.schedule({timer_kind::sync, id, {}}, ctx_.now_ms + group.rebalance_timeout_ms(),
                         [this, id, generation] { expire_pending_sync(id, generation); });
}

void group_manager::expire_pending_sync(const std::string& group_id, int32_t generation) {
    classic_group* group = find(group_id);
    if (!group || group->generation() != generation) return;
    if (!group->is(group_state::completing_rebalance) && !group->is(group_state::stable)) return;
    if (group->pending_sync().empty()) return;
    // Members that never sent SyncGroup within the rebalance timeout are removed.
    const std::set<std::string> late = group->pending_sync();
    for (const auto& id : late) {
        group->remove(id, ctx_.replies);
        cancel_heartbeat(*group, id);
    }
    prepare_rebalance(*group);
}

msg::heartbeat_response group_manager::heartbeat(const msg::heartbeat_request& request) {
    msg::heartbeat_response r;
    if (request.group_id.empty()) {
        r.error_code = wire_code(error_code::invalid_group_id);
        return r;
    }
    classic_group* group = find(request.group_id);
    if (!group) {
        r.error_code = wire_code(error_code::unknown_member_id);
        return r;
    }
    if (group->is(group_state::dead)) {
        r.error_code = wire_code(error_code::coordinator_not_available);
    } else if ((r.error_code = group->validate_member(request.member_id,
                                                      request.group_instance_id))) {
    } else if (request.generation_id != group->generation()) {
        r.error_code = wire_code(error_code::illegal_generation);
    } else if (group->is(group_state::empty)) {
        r.error_code = wire_code(error_code::unknown_member_id);
    } else {
        reschedule_heartbeat(*group, *group->member(request.member_id));
        // Telling members of a rebalance is what heartbeats are for.
        if (group->is(group_state::preparing_rebalance)) {
            r.error_code = wire_code(error_code::rebalance_in_progress);
        }
    }
    return r;
}

msg::leave_group_response group_manager::leave(const msg::leave_group_request& request,
                                               int16_t version) {
    msg::leave_group_response r;
    // Before v3 a request names the one leaving member in member_id.
    std::vector<msg::leave_group_request::member_identity> leaving;
    if (version <= 2) {
        leaving.emplace_back().member_id = request.member_id;
    } else {
        leaving = request.members;
    }
    classic_group* group = request.group_id.empty() ? nullptr : find(request.group_id);
    if (request.group_id.empty()) {
        r.error_code = wire_code(error_code::invalid_group_id);
    } else if (group && group->is(group_state::dead)) {
        r.error_code = wire_code(error_code::coordinator_not_available);
    } else {
        bool anyone_left = false;
        for (const auto& who : leaving) {
            auto& mr = r.members.emplace_back();
            mr.member_id = who.member_id;
            mr.group_instance_id = who.group_instance_id;
            if (!group) {
                mr.error_code = wire_code(error_code::unknown_member_id);
            } else if (who.member_id.empty()) {
                // An admin removes a static member by its instance id alone (KIP-345).
                const std::string* current =
                    who.group_instance_id ? group->static_member_id(*who.group_instance_id)
                                          : nullptr;
                if (current) {
                    remove_current_member(*group, std::string(*current));
                } else {
                    mr.error_code = wire_code(error_code::unknown_member_id);
                }
            } else if (group->is_pending(who.member_id)) {
                group->remove(who.member_id, ctx_.replies);
                cancel_heartbeat(*group, who.member_id);
            } else if (!(mr.error_code =
                             group->validate_member(who.member_id, who.group_instance_id))) {
                remove_current_member(*group, who.member_id);
            }
            anyone_left = anyone_left || mr.error_code == wire_code(error_code::none);
        }
        if (group && anyone_left) {
            if (group->is(group_state::stable) || group->is(group_state::completing_rebalance)) {
                maybe_prepare_rebalance_or_complete_join(*group);
            } else if (group->is(group_state::preparing_rebalance)) {
                maybe_complete_join_phase(*group);
            }
        }
    }
    if (version <= 2) {
        // The single member's error becomes the response's error.
        if (r.error_code == wire_code(error_code::none) && !r.members.empty()) {
            r.error_code = r.members.front().error_code;
        }
        r.members.clear();
    }
    return r;
}

void group_manager::remove_current_member(classic_group& group, const std::string& member_id) {
    cancel_heartbeat(group, member_id);
    // A member still parked in JoinGroup hears UNKNOWN_MEMBER_ID (inside remove()).
    group.remove(member_id, ctx_.replies);
}

void group_manager::reschedule_heartbeat(classic_group& group, classic_member& member) {
    reschedule_heartbeat(group, member, member.session_timeout_ms);
}

void group_manager::reschedule_heartbeat(classic_group& group, classic_member& member,
                                         int64_t timeout_ms) {
    reschedule_pending(group, member.member_id, timeout_ms);
}

void group_manager::reschedule_pending(classic_group& group, const std::string& member_id,
                                       int64_t timeout_ms) {
    const std::string gid = group.id();
    ctx_.timers.schedule({timer_kind::heartbeat, gid, member_id}, ctx_.now_ms + timeout_ms,
                         [this, gid, member_id] { expire_heartbeat(gid, member_id); });
}

void group_manager::cancel_heartbeat(const classic_group& group, const std::string& member_id) {
    ctx_.timers.cancel({timer_kind::heartbeat, group.id(), member_id});
}

void group_manager::expire_heartbeat(const std::string& group_id, const std::string& member_id) {
    classic_group* group = find(group_id);
    if (!group || group->is(group_state::dead)) return;
    if (group->is_pending(member_id)) {
        // The member never came back with the id MEMBER_ID_REQUIRED gave it.
        return remove_pending_member_and_update_group(*group, member_id);
    }
    const classic_member* member = group->member(member_id);
    if (member && !member->has_satisfied_heartbeat()) {
        remove_member_and_update_group(*group, member_id);
    }
}

void group_manager::remove_member_and_update_group(classic_group& group,
                                                   const std::string& member_id) {
    group.remove(member_id, ctx_.replies);
    if (group.is(group_state::stable) || group.is(group_state::completing_rebalance)) {
        maybe_prepare_rebalance_or_complete_join(group);
    } else if (group.is(group_state::preparing_rebalance) && group.has_all_members_joined()) {
        complete_join(group);
    }
}

void group_manager::remove_pending_member_and_update_group(classic_group& group,
                                                           const std::string& member_id) {
    group.remove(member_id, ctx_.replies);
    if (group.is(group_state::preparing_rebalance) && group.has_all_members_joined()) {
        complete_join(group);
    }
}

void group_manager::write_group_record(
    const classic_group& group, const std::map<std::string, std::vector<uint8_t>>& assignments) {
    ctx_.append(group_metadata_record(group.id(), group.to_record(assignments)), false);
}

}  // namespace eddy::group
