// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Leaving and fencing members, session and rebalance timeouts, replay of the consumer group
// records, and the admin and offset checks of consumer groups.
#include "group/consumer_group_manager.h"

#include <algorithm>

#include "eddy/error_code.h"
#include "group/list_filter.h"

namespace eddy::group {
namespace {

msg::consumer_group_heartbeat_response error_response(error_code e, std::string message) {
    msg::consumer_group_heartbeat_response r;
    r.error_code = wire_code(e);
    r.error_message = std::move(message);
    return r;
}

}  // namespace

consumer_group* consumer_group_manager::find(const std::string& group_id) {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

const consumer_group* consumer_group_manager::find(const std::string& group_id) const {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

void consumer_group_manager::write(std::vector<coordinator_record>& records) {
    for (auto& r : records) ctx_.append(std::move(r), true);
    records.clear();
}

msg::consumer_group_heartbeat_response consumer_group_manager::leave(
    const msg::consumer_group_heartbeat_request& request, const topic_view& topics,
    std::vector<coordinator_record>& records) {
    const std::string& group_id = request.group_id;
    const consumer_group* group = find(group_id);
    if (!group) {
        return error_response(error_code::group_id_not_found,
                              classic_.find(group_id)
                                  ? "Group " + group_id + " is not a consumer group."
                                  : "Group " + group_id + " not found.");
    }
    msg::consumer_group_heartbeat_response response;
    response.member_id = request.member_id;
    response.member_epoch = request.member_epoch;

    const consumer_member* member = nullptr;
    if (!request.instance_id) {
        member = group->member(request.member_id);
        if (!member) {
            return error_response(error_code::unknown_member_id,
                                  "Member " + request.member_id + " is not a member of group " +
                                      group_id + ".");
        }
    } else {
        member = group->static_member(request.instance_id);
        if (!member) {
            return error_response(error_code::unknown_member_id,
                                  "Instance id " + *request.instance_id + " is unknown.");
        }
        if (member->member_id != request.member_id) {
            return error_response(error_code::fenced_instance_id,
                                  "Static member " + request.member_id + " with instance id " +
                                      *request.instance_id + " was fenced by member " +
                                      member->member_id + ".");
        }
        if (request.member_epoch == leave_group_static_member_epoch) {
            // A static member leaving for a while keeps its assignment until its session
            // expires; the instance id may then be taken over by a rejoining member.
            consumer_member leaving = *member;
            leaving.member_epoch = leave_group_static_member_epoch;
            leaving.pending_revocation.clear();
            records.push_back(current_assignment_record(group_id, leaving));
            return response;
        }
    }
    fence_member(*group, member->member_id, &topics, records);
    return response;
}

void consumer_group_manager::fence_member(const consumer_group& group, const std::string& member_id,
                                          const topic_view* topics,
                                          std::vector<coordinator_record>& records) {
    const std::string& group_id = group.id();
    const consumer_member* member = group.member(member_id);
    records.push_back(consumer_tombstone(consumer_record_type::current_assignment, group_id, member_id));
    records.push_back(consumer_tombstone(consumer_record_type::target_member, group_id, member_id));
    records.push_back(consumer_tombstone(consumer_record_type::member_metadata, group_id, member_id));

    const auto names = group.subscribed_topic_names_with(member, nullptr);
    subscription_metadata metadata;
    if (topics) {
        metadata = compute_subscription_metadata(names, *topics);
    } else {
        for (const auto& [name, t] : group.metadata()) {
            if (names.count(name)) metadata[name] = t;
        }
    }
    if (metadata != group.metadata()) records.push_back(partition_metadata_record(group_id, metadata));
    records.push_back(group_epoch_record(group_id, group.group_epoch() + 1));
    cancel_timers(group_id, member_id);
}

void consumer_group_manager::fence_from_timer(const std::string& group_id,
                                              const std::string& member_id,
                                              std::optional<int32_t> only_at_epoch) {
    const consumer_group* group = find(group_id);
    const consumer_member* member = group ? group->member(member_id) : nullptr;
    if (!member) return;
    // A rebalance timeout only fences a member still in the epoch it was set for.
    if (only_at_epoch && member->member_epoch != *only_at_epoch) return;
    std::vector<coordinator_record> records;
    fence_member(*group, member_id, nullptr, records);
    write(records);
}

void consumer_group_manager::schedule_session_timeout(const std::string& group_id,
                                                      const std::string& member_id) {
    ctx_.timers.schedule({timer_kind::consumer_session, group_id, member_id},
                         ctx_.now_ms + ctx_.config.consumer_session_timeout_ms,
                         [this, group_id, member_id] {
                             fence_from_timer(group_id, member_id, std::nullopt);
                         });
}

void consumer_group_manager::schedule_rebalance_timeout(const std::string& group_id,
                                                        const consumer_member& m) {
    const int32_t epoch = m.member_epoch;
    ctx_.timers.schedule({timer_kind::consumer_rebalance, group_id, m.member_id},
                         ctx_.now_ms + std::max(m.rebalance_timeout_ms, 0),
                         [this, group_id, member_id = m.member_id, epoch] {
                             fence_from_timer(group_id, member_id, epoch);
                         });
}

void consumer_group_manager::cancel_timers(const std::string& group_id,
                                           const std::string& member_id) {
    ctx_.timers.cancel({timer_kind::consumer_session, group_id, member_id});
    ctx_.timers.cancel({timer_kind::consumer_rebalance, group_id, member_id});
}

msg::consumer_group_describe_response::described_group consumer_group_manager::describe(
    const std::string& group_id, const topic_view& topics) const {
    if (const consumer_group* group = find(group_id)) {
        return group->describe(ctx_.config.consumer_assignors.front(), topics);
    }
    msg::consumer_group_describe_response::described_group d;
    d.group_id = group_id;
    d.error_code = wire_code(error_code::group_id_not_found);
    return d;
}

std::vector<msg::list_groups_response::listed_group> consumer_group_manager::list(
    std::span<const std::string> states_filter, std::span<const std::string> types_filter) const {
    const list_filter filter(states_filter, types_filter);
    std::vector<msg::list_groups_response::listed_group> out;
    if (!filter.wants_type("consumer")) return out;
    for (const auto& [_, group] : groups_) {
        if (filter.wants_state(state_name(group.state()))) out.push_back(group.listed());
    }
    return out;
}

void consumer_group_manager::delete_group(const std::string& group_id) {
    const consumer_group* group = find(group_id);
    if (!group) return;
    // Kafka's order: current assignments, target assignments and their epoch, members, the
    // subscription metadata, and last the group epoch, whose tombstone removes the group.
    std::vector<coordinator_record> records;
    for (const auto& [id, _] : group->members()) {
        records.push_back(consumer_tombstone(consumer_record_type::current_assignment, group_id, id));
    }
    for (const auto& [id, _] : group->members()) {
        records.push_back(consumer_tombstone(consumer_record_type::target_member, group_id, id));
    }
    records.push_back(consumer_tombstone(consumer_record_type::target_epoch, group_id));
    for (const auto& [id, _] : group->members()) {
        records.push_back(consumer_tombstone(consumer_record_type::member_metadata, group_id, id));
    }
    records.push_back(consumer_tombstone(consumer_record_type::partition_metadata, group_id));
    records.push_back(consumer_tombstone(consumer_record_type::group_epoch, group_id));
    for (const auto& [id, _] : group->members()) cancel_timers(group_id, id);
    write(records);
}

int16_t consumer_group_manager::validate_offset_commit(const consumer_group& group,
                                                       const std::string& member_id,
                                                       int32_t member_epoch,
                                                       int16_t version,
                                                       bool transactional) const {
    // Epoch -1 comes from the admin client or a consumer assigning partitions itself:
    // allowed while the group has no members.
    if (member_epoch < 0 && group.members().empty()) return wire_code(error_code::none);
    const consumer_member* m = group.member(member_id);
    if (!m) return wire_code(error_code::unknown_member_id);
    // Members of the consumer protocol commit with OffsetCommit v9+.
    if (!transactional && version < 9) return wire_code(error_code::unsupported_version);
    if (member_epoch != m->member_epoch) return wire_code(error_code::stale_member_epoch);
    return wire_code(error_code::none);
}

int16_t consumer_group_manager::validate_offset_fetch(const consumer_group& group,
                                                      const std::optional<std::string>& member_id,
                                                      int32_t member_epoch) const {
    if (!member_id && member_epoch < 0) return wire_code(error_code::none);
    const consumer_member* m = member_id ? group.member(*member_id) : nullptr;
    if (!m) return wire_code(error_code::unknown_member_id);
    if (member_epoch != m->member_epoch) return wire_code(error_code::stale_member_epoch);
    return wire_code(error_code::none);
}

void consumer_group_manager::replay(consumer_group_event e) {
    using type = consumer_record_type;
    auto it = groups_.find(e.group);
    if (it == groups_.end()) {
        // Values create the group (Kafka creates it on the member and epoch records; the
        // others never come first); tombstones of a group that is gone change nothing.
        if (!e.value) return;
        it = groups_.emplace(e.group, consumer_group(e.group)).first;
    }
    consumer_group& group = it->second;
    switch (e.type) {
        case type::group_epoch:
            if (e.value) {
                group.set_group_epoch(std::get<msg::consumer_group_metadata_value>(*e.value).epoch);
            } else {
                for (const auto& [id, _] : group.members()) cancel_timers(e.group, id);
                groups_.erase(it);
            }
            break;
        case type::partition_metadata: {
            subscription_metadata metadata;
            if (e.value) {
                for (const auto& t :
                     std::get<msg::consumer_group_partition_metadata_value>(*e.value).topics) {
                    metadata[t.topic_name] = {t.topic_id, t.topic_name, t.num_partitions};
                }
            }
            group.set_metadata(std::move(metadata));
            break;
        }
        case type::member_metadata: {
            if (!e.value) {
                group.remove_member(e.member_id);
                break;
            }
            const auto& v = std::get<msg::consumer_group_member_metadata_value>(*e.value);
            consumer_member m;
            if (const consumer_member* old = group.member(e.member_id)) m = *old;
            m.member_id = e.member_id;
            m.instance_id = v.instance_id;
            m.rack_id = v.rack_id;
            m.client_id = v.client_id;
            m.client_host = v.client_host;
            m.subscribed_topic_names = {v.subscribed_topic_names.begin(),
                                        v.subscribed_topic_names.end()};
            m.subscribed_topic_regex = v.subscribed_topic_regex;
            m.rebalance_timeout_ms = v.rebalance_timeout_ms;
            m.server_assignor = v.server_assignor;
            group.update_member(std::move(m));
            break;
        }
        case type::target_epoch:
            group.set_assignment_epoch(
                e.value ? std::get<msg::consumer_group_target_assignment_metadata_value>(*e.value)
                              .assignment_epoch
                        : -1);
            break;
        case type::target_member:
            if (e.value) {
                const auto& v = std::get<msg::consumer_group_target_assignment_member_value>(*e.value);
                group.update_target(e.member_id, assignment_from(v.topic_partitions));
            } else {
                group.remove_target(e.member_id);
            }
            break;
        case type::current_assignment: {
            const consumer_member* old = group.member(e.member_id);
            if (!old) break;  // Kafka writes the member before its assignment
            consumer_member m = *old;
            if (e.value) {
                const auto& v =
                    std::get<msg::consumer_group_current_member_assignment_value>(*e.value);
                m.member_epoch = v.member_epoch;
                m.previous_member_epoch = v.previous_member_epoch;
                m.state = member_state_from(v.state);
                m.assigned = assignment_from(v.assigned_partitions);
                m.pending_revocation = assignment_from(v.partitions_pending_revocation);
            } else {
                m.member_epoch = leave_group_member_epoch;
                m.previous_member_epoch = leave_group_member_epoch;
                m.assigned.clear();
                m.pending_revocation.clear();
            }
            group.update_member(std::move(m));
            break;
        }
    }
}

void consumer_group_manager::on_loaded() {
    for (const auto& [group_id, group] : groups_) {
        for (const auto& [member_id, m] : group.members()) {
            schedule_session_timeout(group_id, member_id);
            if (m.state == member_state::unrevoked_partitions) schedule_rebalance_timeout(group_id, m);
        }
    }
}

}  // namespace eddy::group
