// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeGroups, ListGroups, DeleteGroups checks, replay of group records, load/unload.
#include <algorithm>

#include "eddy/error_code.h"
#include "group/group_manager.h"
#include "group/list_filter.h"

namespace eddy::group {

classic_group* group_manager::find(const std::string& group_id) {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

const classic_group* group_manager::find(const std::string& group_id) const {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

classic_group& group_manager::find_or_create_simple(const std::string& group_id,
                                                    std::optional<int64_t> now_ms) {
    auto it = groups_.find(group_id);
    if (it == groups_.end()) {
        it = groups_.emplace(group_id, classic_group(group_id, group_state::empty, now_ms)).first;
    }
    return it->second;
}

msg::describe_groups_response::described_group group_manager::describe(
    const std::string& group_id) const {
    if (const classic_group* group = find(group_id)) return group->describe();
    // Kafka describes a group it does not know as Dead, without an error.
    msg::describe_groups_response::described_group d;
    d.group_id = group_id;
    d.group_state = std::string(state_name(group_state::dead));
    return d;
}

std::vector<msg::list_groups_response::listed_group> group_manager::list(
    std::span<const std::string> states_filter, std::span<const std::string> types_filter) const {
    const list_filter filter(states_filter, types_filter);
    // Every group here is a classic group; another type filter matches none of them.
    std::vector<msg::list_groups_response::listed_group> out;
    if (!filter.wants_type("classic")) return out;
    for (const auto& [id, group] : groups_) {
        const std::string state(state_name(group.state()));
        if (!filter.wants_state(state)) continue;
        auto& listed = out.emplace_back();
        listed.group_id = id;
        listed.protocol_type = group.protocol_type().value_or("");
        listed.group_state = state;
        listed.group_type = "classic";
    }
    return out;
}

int16_t group_manager::validate_delete(const std::string& group_id) const {
    const classic_group* group = find(group_id);
    if (!group || group->is(group_state::dead)) return wire_code(error_code::group_id_not_found);
    if (!group->is(group_state::empty)) return wire_code(error_code::non_empty_group);
    return wire_code(error_code::none);
}

void group_manager::cancel_group_timers(const classic_group& group) {
    ctx_.timers.cancel({timer_kind::join, group.id(), {}});
    ctx_.timers.cancel({timer_kind::sync, group.id(), {}});
    for (const auto& [id, _] : group.members()) cancel_heartbeat(group, id);
    for (const auto& id : group.pending_members()) cancel_heartbeat(group, id);
}

void group_manager::replay(group_metadata_event event) {
    if (!event.value) {
        if (classic_group* group = find(event.group)) {
            cancel_group_timers(*group);
            groups_.erase(event.group);
        }
        return;
    }
    if (classic_group* group = find(event.group)) cancel_group_timers(*group);
    groups_.insert_or_assign(event.group, classic_group::from_record(event.group, *event.value));
}

void group_manager::on_loaded() {
    const auto max = static_cast<size_t>(std::max(ctx_.config.group_max_size, 0));
    for (auto& [_, group] : groups_) {
        for (auto& [__, m] : group.members()) reschedule_heartbeat(group, m);
        // group.max.size may have shrunk since the group was written: rebalance it so the
        // members can commit and the last to rejoin are turned away.
        if (group.size() > max) prepare_rebalance(group);
    }
}

void group_manager::on_unloaded() {
    for (auto& [_, group] : groups_) {
        group.transition_to(group_state::dead, ctx_.now_ms);
        for (auto& [id, m] : group.members()) {
            msg::join_group_response join;
            join.member_id = id;
            join.error_code = wire_code(error_code::not_coordinator);
            group.complete_join(m, std::move(join), ctx_.replies);
            msg::sync_group_response sync;
            sync.error_code = wire_code(error_code::not_coordinator);
            group.complete_sync(m, std::move(sync), ctx_.replies);
        }
    }
}

}  // namespace eddy::group
