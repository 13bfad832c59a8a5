// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// JoinGroup and the join phase of a rebalance, as Kafka's GroupMetadataManager runs them.
#include <algorithm>

#include "eddy/error_code.h"
#include "group/group_manager.h"

namespace eddy::group {
namespace {

// A new member's parked JoinGroup expires after this long (Kafka's
// group.classic.new.member.join.timeout.ms): a client that timed out and retried would
// otherwise leave a defunct member in every rebalance.
constexpr int64_t new_member_join_timeout_ms = 5 * 60 * 1000;

msg::join_group_response join_error(std::string member_id, error_code e) {
    msg::join_group_response r;
    r.member_id = std::move(member_id);
    r.error_code = wire_code(e);
    return r;
}

std::vector<member_protocol> protocols_of(const msg::join_group_request& request) {
    std::vector<member_protocol> out;
    out.reserve(request.protocols.size());
    for (const auto& p : request.protocols) out.push_back({p.name, p.metadata});
    return out;
}

}  // namespace

void group_manager::join(msg::join_group_request request, int16_t version,
                         const client_identity& client, reply<msg::join_group_response> done) {
    auto& out = ctx_.replies;
    // Version 0 has no rebalance timeout; Kafka uses the session timeout.
    if (version == 0) request.rebalance_timeout_ms = request.session_timeout_ms;
    if (request.group_id.empty()) {
        return post(out, std::move(done), join_error(request.member_id, error_code::invalid_group_id));
    }
    if (request.session_timeout_ms < ctx_.config.group_min_session_timeout_ms ||
        request.session_timeout_ms > ctx_.config.group_max_session_timeout_ms) {
        return post(out, std::move(done),
                    join_error(request.member_id, error_code::invalid_session_timeout));
    }

    const bool unknown_member = request.member_id.empty();
    const bool new_group = groups_.count(request.group_id) == 0;
    if (new_group && !unknown_member) {
        return post(out, std::move(done),
                    join_error(request.member_id, error_code::unknown_member_id));
    }
    if (new_group) {
        groups_.emplace(request.group_id,
                        classic_group(request.group_id, group_state::empty, ctx_.now_ms));
    }
    classic_group& group = groups_.at(request.group_id);
    const size_t records_before = ctx_.records.size();

    if (!accept_joining_member(group, request.member_id)) {
        group.remove(request.member_id, out);
        post(out, std::move(done), join_error("", error_code::group_max_size_reached));
    } else if (unknown_member) {
        join_new_member(request, version, client, group, done);
    } else {
        join_existing_member(request, client, group, done);
    }

    // A group created by this join is written down even when the join itself wrote
    // nothing, as Kafka does, so it survives a reload (as an Empty group).
    if (new_group && ctx_.records.size() == records_before) {
        msg::group_metadata_value empty;
        empty.protocol_type = "";
        empty.generation = 0;
        empty.protocol = std::nullopt;
        empty.leader = std::nullopt;
        empty.current_state_timestamp = group.state_timestamp_ms().value_or(-1);
        ctx_.append(group_metadata_record(group.id(), empty), false);
    }
}

bool group_manager::accept_joining_member(const classic_group& group,
                                          const std::string& member_id) const {
    const auto max = static_cast<size_t>(std::max(ctx_.config.group_max_size, 0));
    switch (group.state()) {
        case group_state::empty:
        case group_state::dead:
            return true;
        case group_state::preparing_rebalance: {
            // Counting the members that rejoined (not all members) lets a shrunk
            // group.max.size turn away the last members to rejoin.
            auto it = group.members().find(member_id);
            return (it != group.members().end() && it->second.is_awaiting_join()) ||
                   group.num_awaiting_join() < max;
        }
        case group_state::completing_rebalance:
        case group_state::stable:
            return group.has_member(member_id) || group.size() < max;
    }
    return false;
}

void group_manager::join_new_member(const msg::join_group_request& request, int16_t version,
                                    const client_identity& client, classic_group& group,
                                    reply<msg::join_group_response>& done) {
    auto& out = ctx_.replies;
    if (group.is(group_state::dead)) {
        return post(out, std::move(done), join_error("", error_code::coordinator_not_available));
    }
    if (!group.supports_protocols(request.protocol_type, protocols_of(request))) {
        return post(out, std::move(done), join_error("", error_code::inconsistent_group_protocol));
    }
    // Kafka's member ids: the instance id (static) or the client id, a dash, a random UUID.
    const std::string new_member_id =
        request.group_instance_id.value_or(client.client_id) + "-" + ctx_.random_uuid();

    if (request.group_instance_id) {
        if (const std::string* existing = group.static_member_id(*request.group_instance_id)) {
            const std::string old_member_id = *existing;
            return update_static_member_then_rebalance(request, version, group, old_member_id,
                                                       new_member_id, std::move(done));
        }
        return add_member_then_rebalance(request, client, group, new_member_id, std::move(done));
    }
    if (version >= 4) {
        // KIP-394: the member must come back with this id within its session timeout; until
        // then it is pending and holds up the join phase.
        group.add_pending(new_member_id);
        reschedule_pending(group, new_member_id, request.session_timeout_ms);
        return post(out, std::move(done),
                    join_error(new_member_id, error_code::member_id_required));
    }
    add_member_then_rebalance(request, client, group, new_member_id, std::move(done));
}

void group_manager::join_existing_member(const msg::join_group_request& request,
                                         const client_identity& client, classic_group& group,
                                         reply<msg::join_group_response>& done) {
    auto& out = ctx_.replies;
    const std::string& member_id = request.member_id;
    if (group.is(group_state::dead)) {
        return post(out, std::move(done), join_error(member_id, error_code::coordinator_not_available));
    }
    if (!group.supports_protocols(request.protocol_type, protocols_of(request))) {
        return post(out, std::move(done),
                    join_error(member_id, error_code::inconsistent_group_protocol));
    }
    if (group.is_pending(member_id)) {
        // A pending member is always dynamic; Kafka fails such a request internally.
        if (request.group_instance_id) {
            return post(out, std::move(done),
                        join_error(member_id, error_code::unknown_server_error));
        }
        return add_member_then_rebalance(request, client, group, member_id, std::move(done));
    }
    if (const int16_t error = group.validate_member(member_id, request.group_instance_id)) {
        msg::join_group_response r;
        r.member_id = member_id;
        r.error_code = error;
        r.protocol_type = std::nullopt;
        r.protocol_name = std::nullopt;
        return post(out, std::move(done), std::move(r));
    }
    classic_member& member = *group.member(member_id);
    const bool same_metadata = member.protocols == protocols_of(request);
    switch (group.state()) {
        case group_state::preparing_rebalance:
            return update_member_then_rebalance(request, group, member, std::move(done));
        case group_state::completing_rebalance:
            // The same metadata again: the member most likely lost the JoinGroup reply.
            if (same_metadata) {
                return post(out, std::move(done),
                            generation_reply(group, member_id, group.is_leader(member_id)));
            }
            return update_member_then_rebalance(request, group, member, std::move(done));
        case group_state::stable:
            // A rejoining leader forces a rebalance: that is how a consumer leader reacts to
            // topic metadata changes that leave its subscription unchanged.
            if (group.is_leader(member_id) || !same_metadata) {
                return update_member_then_rebalance(request, group, member, std::move(done));
            }
            return post(out, std::move(done), generation_reply(group, member_id, false));
        case group_state::empty:
        case group_state::dead:
            break;
    }
    post(out, std::move(done), join_error(member_id, error_code::unknown_member_id));
}

msg::join_group_response group_manager::generation_reply(const classic_group& group,
                                                         const std::string& member_id,
                                                         bool with_members) const {
    msg::join_group_response r;
    if (with_members) r.members = group.join_members();
    r.member_id = member_id;
    r.generation_id = group.generation();
    r.protocol_type = group.protocol_type();
    r.protocol_name = group.protocol_name();
    r.leader = group.leader().value_or("");
    r.skip_assignment = false;
    return r;
}

void group_manager::add_member_then_rebalance(const msg::join_group_request& request,
                                              const client_identity& client,
                                              classic_group& group, const std::string& member_id,
                                              reply<msg::join_group_response> done) {
    classic_member m;
    m.member_id = member_id;
    m.group_instance_id = request.group_instance_id;
    m.client_id = client.client_id;
    m.client_host = client.client_host;
    m.rebalance_timeout_ms = request.rebalance_timeout_ms;
    m.session_timeout_ms = request.session_timeout_ms;
    m.protocol_type = request.protocol_type;
    m.protocols = protocols_of(request);
    m.awaiting_join = std::move(done);
    m.is_new = true;
    // Joins during the initial (delayed) rebalance extend the delay.
    if (group.is(group_state::preparing_rebalance) &&
        group.previous_state() == group_state::empty) {
        group.new_member_added = true;
    }
    group.add(std::move(m));
    reschedule_heartbeat(group, *group.member(member_id), new_member_join_timeout_ms);
    maybe_prepare_rebalance_or_complete_join(group);
}

void group_manager::update_member_then_rebalance(const msg::join_group_request& request,
                                                 classic_group& group, classic_member& member,
                                                 reply<msg::join_group_response> done) {
    group.update_member(member, protocols_of(request), request.rebalance_timeout_ms,
                        request.session_timeout_ms, std::move(done), ctx_.replies);
    maybe_prepare_rebalance_or_complete_join(group);
}

void group_manager::update_static_member_then_rebalance(const msg::join_group_request& request,
                                                        int16_t version, classic_group& group,
                                                        const std::string& old_member_id,
                                                        const std::string& new_member_id,
                                                        reply<msg::join_group_response> done) {
    const std::string previous_leader = group.leader().value_or("");
    classic_member& member = group.replace_static_member(*request.group_instance_id,
                                                         old_member_id, new_member_id,
                                                         ctx_.replies);
    cancel_heartbeat(group, old_member_id);
    reschedule_heartbeat(group, member);
    group.update_member(member, protocols_of(request), request.rebalance_timeout_ms,
                        request.session_timeout_ms, std::move(done), ctx_.replies);

    switch (group.state()) {
        case group_state::stable: {
            if (group.protocol_name() != group.select_protocol()) {
                return maybe_prepare_rebalance_or_complete_join(group);
            }
            // The restarted instance takes its old seat without a rebalance; the group is
            // written again so its new member id survives a reload.
            std::map<std::string, std::vector<uint8_t>> assignments;
            for (const auto& [id, m] : group.members()) assignments[id] = m.assignment;
            write_group_record(group, assignments);
            msg::join_group_response r;
            if (version >= 9) {
                // KIP-814: a static leader learns it leads but skips the assignor, which
                // would produce an assignment a Stable group ignores.
                const bool leader = group.is_leader(new_member_id);
                r = generation_reply(group, new_member_id, leader);
                r.skip_assignment = leader;
            } else {
                // The old leader id keeps a restarted leader from running an assignment
                // that a Stable group would not hand out.
                r = generation_reply(group, new_member_id, false);
                r.leader = previous_leader;
            }
            group.complete_join(member, std::move(r), ctx_.replies);
            return;
        }
        case group_state::completing_rebalance:
            // The leader may already be assigning to the old member id: start over.
            return prepare_rebalance(group);
        case group_state::preparing_rebalance:
            return maybe_complete_join_phase(group);
        case group_state::empty:
        case group_state::dead:
            return;
    }
}

void group_manager::maybe_prepare_rebalance_or_complete_join(classic_group& group) {
    if (group.can_rebalance()) {
        prepare_rebalance(group);
    } else {
        maybe_complete_join_phase(group);
    }
}

void group_manager::prepare_rebalance(classic_group& group) {
    // Members waiting for their assignment must rejoin instead.
    if (group.is(group_state::completing_rebalance)) {
        reset_and_propagate_assignment(group, wire_code(error_code::rebalance_in_progress));
    }
    remove_sync_expiration(group);

    const bool initial = group.is(group_state::empty);
    if (initial) {
        // group.initial.rebalance.delay.ms: wait for more members of a new group, each
        // join extending the wait by up to the delay, until the rebalance timeout is spent.
        const int64_t delay = ctx_.config.group_initial_rebalance_delay_ms;
        const int64_t remaining = std::max<int64_t>(group.rebalance_timeout_ms() - delay, 0);
        const std::string id = group.id();
        ctx_.timers.schedule({timer_kind::join, id, {}}, ctx_.now_ms + delay,
                             [this, id, delay, remaining] {
                                 try_complete_initial_rebalance(id, delay, remaining);
                             });
    }
    group.transition_to(group_state::preparing_rebalance, ctx_.now_ms);
    if (initial) return;
    if (group.has_all_members_joined()) {
        complete_join(group);
    } else {
        schedule_complete_join(group, group.rebalance_timeout_ms());
    }
}

void group_manager::maybe_complete_join_phase(classic_group& group) {
    // The initial rebalance always waits out its delay.
    if (group.is(group_state::preparing_rebalance) &&
        group.previous_state() != group_state::empty && group.has_all_members_joined()) {
        complete_join(group);
    }
}

void group_manager::try_complete_initial_rebalance(const std::string& group_id, int64_t delay_ms,
                                                   int64_t remaining_ms) {
    classic_group* group = find(group_id);
    if (!group) return;
    if (group->new_member_added && remaining_ms != 0) {
        group->new_member_added = false;
        const int64_t next_delay =
            std::min<int64_t>(ctx_.config.group_initial_rebalance_delay_ms, remaining_ms);
        const int64_t next_remaining = std::max<int64_t>(remaining_ms - delay_ms, 0);
        ctx_.timers.schedule({timer_kind::join, group_id, {}}, ctx_.now_ms + next_delay,
                             [this, group_id, next_delay, next_remaining] {
                                 try_complete_initial_rebalance(group_id, next_delay,
                                                                next_remaining);
                             });
        return;
    }
    complete_join(*group);
}

void group_manager::schedule_complete_join(classic_group& group, int64_t delay_ms) {
    const std::string id = group.id();
    ctx_.timers.schedule({timer_kind::join, id, {}}, ctx_.now_ms + delay_ms, [this, id] {
        if (classic_group* g = find(id)) complete_join(*g);
    });
}

void group_manager::complete_join(classic_group& group) {
    ctx_.timers.cancel({timer_kind::join, group.id(), {}});
    // Dynamic members that did not rejoin in time are out; static members keep their seat.
    std::vector<std::string> gone;
    for (const auto& [id, m] : group.members()) {
        if (!m.is_awaiting_join() && !m.is_static()) gone.push_back(id);
    }
    for (const auto& id : gone) {
        group.remove(id, ctx_.replies);
        cancel_heartbeat(group, id);
    }
    if (group.is(group_state::dead)) return;
    if (!group.maybe_elect_new_joined_leader() && group.size() != 0) {
        // Nobody rejoined: wait another rebalance timeout for sessions to expire.
        return schedule_complete_join(group, group.rebalance_timeout_ms());
    }
    group.init_next_generation(ctx_.now_ms);
    if (group.is(group_state::empty)) {
        write_group_record(group, {});
        return;
    }
    for (auto& [id, m] : group.members()) {
        group.complete_join(m, generation_reply(group, id, group.is_leader(id)), ctx_.replies);
        reschedule_heartbeat(group, m);
        m.is_new = false;
        group.pending_sync().insert(id);
    }
    schedule_pending_sync(group);
}

}  // namespace eddy::group
