// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ConsumerGroupHeartbeat: request validation, joining (dynamic and static members), the
// group epoch, the target assignment and the member's reconciliation, as Kafka 3.9's
// GroupMetadataManager.consumerGroupHeartbeat does them.
#include <algorithm>
#include <cctype>

#include "eddy/error_code.h"
#include "group/consumer_group_manager.h"
#include "group/records.h"

namespace eddy::group {
namespace {

api_error fail(error_code e, std::string message) { return {wire_code(e), std::move(message)}; }

// Kafka's throwIfEmptyString: non-null and blank.
bool blank(const std::optional<std::string>& s) {
    return s && std::all_of(s->begin(), s->end(),
                            [](unsigned char c) { return c <= ' '; });
}

// Kafka's throwIfConsumerGroupMemberEpochIsInvalid, with the lost-response rule: a member
// one epoch behind that owns no more than its assignment missed the reply that bumped it.
std::optional<api_error> check_member_epoch(const consumer_member& member, int32_t received,
                                            const owned_partitions& owned) {
    if (received > member.member_epoch) {
        return fail(error_code::fenced_member_epoch,
                    "The consumer group member has a greater member epoch (" +
                        std::to_string(received) + ") than the one known by the group "
                        "coordinator (" + std::to_string(member.member_epoch) +
                        "). The member must abandon all its partitions and rejoin.");
    }
    if (received < member.member_epoch &&
        (received != member.previous_member_epoch || !is_subset(owned, member.assigned))) {
        return fail(error_code::fenced_member_epoch,
                    "The consumer group member has a smaller member epoch (" +
                        std::to_string(received) + ") than the one known by the group "
                        "coordinator (" + std::to_string(member.member_epoch) +
                        "). The member must abandon all its partitions and rejoin.");
    }
    return std::nullopt;
}

msg::consumer_group_heartbeat_response error_response(api_error e) {
    msg::consumer_group_heartbeat_response r;
    r.error_code = e.code;
    r.error_message = std::move(e.message);
    return r;
}

}  // namespace

subscription_metadata compute_subscription_metadata(const std::map<std::string, int>& names,
                                                    const topic_view& topics) {
    subscription_metadata out;
    for (const auto& [name, _] : names) {
        auto topic = topics.by_name ? topics.by_name(name) : std::nullopt;
        if (topic) out[name] = {topic->id, topic->name, topic->partitions};
    }
    return out;
}

std::optional<api_error> consumer_group_manager::validate(
    const msg::consumer_group_heartbeat_request& r) const {
    if (blank(r.group_id)) return fail(error_code::invalid_request, "GroupId can't be empty.");
    if (blank(r.instance_id)) return fail(error_code::invalid_request, "InstanceId can't be empty.");
    if (blank(r.rack_id)) return fail(error_code::invalid_request, "RackId can't be empty.");
    if (r.member_epoch > 0 || r.member_epoch == leave_group_member_epoch) {
        if (blank(r.member_id)) return fail(error_code::invalid_request, "MemberId can't be empty.");
    } else if (r.member_epoch == 0) {
        if (r.rebalance_timeout_ms == -1) {
            return fail(error_code::invalid_request,
                        "RebalanceTimeoutMs must be provided in first request.");
        }
        if (!r.topic_partitions || !r.topic_partitions->empty()) {
            return fail(error_code::invalid_request,
                        "TopicPartitions must be empty when (re-)joining.");
        }
        if (!r.subscribed_topic_names || r.subscribed_topic_names->empty()) {
            return fail(error_code::invalid_request,
                        "SubscribedTopicNames must be set in first request.");
        }
    } else if (r.member_epoch == leave_group_static_member_epoch) {
        if (blank(r.member_id)) return fail(error_code::invalid_request, "MemberId can't be empty.");
        if (!r.instance_id) return fail(error_code::invalid_request, "InstanceId can't be null.");
    } else {
        return fail(error_code::invalid_request, "MemberEpoch is invalid.");
    }
    const auto& assignors = ctx_.config.consumer_assignors;
    if (r.server_assignor &&
        std::find(assignors.begin(), assignors.end(), *r.server_assignor) == assignors.end()) {
        std::string supported;
        for (const auto& a : assignors) supported += (supported.empty() ? "" : ", ") + a;
        return fail(error_code::unsupported_assignor, "ServerAssignor " + *r.server_assignor +
                                                          " is not supported. Supported assignors: " +
                                                          supported + ".");
    }
    return std::nullopt;
}

msg::consumer_group_heartbeat_response consumer_group_manager::heartbeat(
    const msg::consumer_group_heartbeat_request& request, const client_identity& client,
    const topic_view& topics) {
    if (auto e = validate(request)) return error_response(std::move(*e));
    std::vector<coordinator_record> records;
    auto response = request.member_epoch < 0 ? leave(request, topics, records)
                                             : join_or_heartbeat(request, client, topics, records);
    // An error writes nothing, as a Kafka operation that throws.
    if (response.error_code == 0) write(records);
    return response;
}

msg::consumer_group_heartbeat_response consumer_group_manager::join_or_heartbeat(
    const msg::consumer_group_heartbeat_request& request, const client_identity& client,
    const topic_view& topics, std::vector<coordinator_record>& records) {
    const std::string& group_id = request.group_id;
    const bool create = request.member_epoch == 0;
    const owned_partitions& owned = request.topic_partitions;

    // The group, or a new one that the records will create.
    std::optional<consumer_group> fresh;
    const consumer_group* group = find(group_id);
    if (!group) {
        const classic_group* classic = classic_.find(group_id);
        if (classic && !(create && classic->is(group_state::empty))) {
            return error_response(fail(error_code::group_id_not_found,
                                       "Group " + group_id + " is not a consumer group."));
        }
        if (!classic && !create) {
            return error_response(fail(error_code::group_id_not_found,
                                       "Consumer group " + group_id + " not found."));
        }
        // An empty classic group (one that only holds offsets) makes way for the new group.
        if (classic) records.push_back(group_metadata_tombstone(group_id));
        group = &fresh.emplace(group_id);
    }
    const auto max = static_cast<size_t>(std::max(ctx_.config.consumer_max_size, 0));
    if (group->members().size() >= max &&
        (request.member_id.empty() || !group->has_member(request.member_id))) {
        return error_response(fail(error_code::group_max_size_reached,
                                   "The consumer group has reached its maximum capacity of " +
                                       std::to_string(ctx_.config.consumer_max_size) + " members."));
    }

    const std::string member_id =
        request.member_id.empty() ? ctx_.random_kafka_uuid() : request.member_id;
    auto unknown_member = [&] {
        return error_response(fail(error_code::unknown_member_id,
                                   "Member " + member_id + " is not a member of group " +
                                       group_id + "."));
    };

    // The member as it stands (or a new one), after the epoch and instance checks.
    consumer_member member;
    member.member_id = member_id;
    if (!request.instance_id) {
        if (const consumer_member* m = group->member(member_id)) {
            member = *m;
            if (auto e = check_member_epoch(member, request.member_epoch, owned)) {
                return error_response(std::move(*e));
            }
        } else if (!create) {
            return unknown_member();
        }
    } else {
        const std::string& instance = *request.instance_id;
        const consumer_member* existing = group->static_member(request.instance_id);
        if (create && existing) {
            // A static member rejoins under a new member id: it takes over the instance
            // only once the previous member left with epoch -2.
            if (existing->member_epoch != leave_group_static_member_epoch) {
                return error_response(fail(error_code::unreleased_instance_id,
                                           "Static member " + member_id + " with instance id " +
                                               instance + " cannot join the group because the "
                                               "instance id is owned by " + existing->member_id +
                                               " member."));
            }
            member = *existing;
            member.member_id = member_id;
            member.member_epoch = 0;
            member.previous_member_epoch = 0;
            // Kafka's replaceMember: the old member goes, the new one takes its assignment.
            records.push_back(consumer_tombstone(consumer_record_type::current_assignment, group_id,
                                                 existing->member_id));
            records.push_back(consumer_tombstone(consumer_record_type::target_member, group_id,
                                                 existing->member_id));
            records.push_back(consumer_tombstone(consumer_record_type::member_metadata, group_id,
                                                 existing->member_id));
            records.push_back(member_metadata_record(group_id, member));
            records.push_back(
                target_member_record(group_id, member_id, group->target_of(existing->member_id)));
            records.push_back(current_assignment_record(group_id, member));
        } else if (!create) {
            if (!existing) {
                return error_response(
                    fail(error_code::unknown_member_id, "Instance id " + instance + " is unknown."));
            }
            if (existing->member_id != member_id) {
                return error_response(fail(error_code::fenced_instance_id,
                                           "Static member " + member_id + " with instance id " +
                                               instance + " was fenced by member " +
                                               existing->member_id + "."));
            }
            member = *existing;
            if (auto e = check_member_epoch(member, request.member_epoch, owned)) {
                return error_response(std::move(*e));
            }
        }
    }

    // 1. The member with what the request updates; its record when anything changed.
    consumer_member updated = member;
    if (request.instance_id) updated.instance_id = request.instance_id;
    if (request.rack_id) updated.rack_id = request.rack_id;
    if (request.rebalance_timeout_ms != -1) updated.rebalance_timeout_ms = request.rebalance_timeout_ms;
    if (request.server_assignor) updated.server_assignor = request.server_assignor;
    if (request.subscribed_topic_names) {
        updated.subscribed_topic_names = {request.subscribed_topic_names->begin(),
                                          request.subscribed_topic_names->end()};
    }
    updated.client_id = client.client_id;
    updated.client_host = client.client_host;

    bool bump = false;
    if (!(updated == member)) {
        records.push_back(member_metadata_record(group_id, updated));
        bump = updated.subscribed_topic_names != member.subscribed_topic_names ||
               updated.subscribed_topic_regex != member.subscribed_topic_regex;
    }

    // The subscribed topics are looked up at every heartbeat: a topic created, deleted or
    // grown since changes the metadata and so the group epoch.
    int32_t group_epoch = group->group_epoch();
    const subscription_metadata metadata = compute_subscription_metadata(
        group->subscribed_topic_names_with(&member, &updated), topics);
    if (metadata != group->metadata()) {
        bump = true;
        records.push_back(partition_metadata_record(group_id, metadata));
    }
    if (bump) {
        ++group_epoch;
        records.push_back(group_epoch_record(group_id, group_epoch));
    }

    // 2. A new target assignment when the group epoch moved past the assignment epoch.
    int32_t target_epoch = group->assignment_epoch();
    topic_partitions target;
    if (group_epoch > group->assignment_epoch()) {
        target = update_target_assignment(*group, group_epoch, member, updated, metadata, records);
        target_epoch = group_epoch;
    } else {
        target = group->target_of(updated.member_id, updated.instance_id);
    }

    // 3. The member moves towards its target assignment.
    std::optional<consumer_member> reconciled;
    if (!updated.is_reconciled_to(target_epoch)) {
        reconciled = reconcile(updated, {target_epoch, &target,
                                         [group](const codec::uuid& t, int32_t p) {
                                             return group->partition_epoch(t, p);
                                         },
                                         &owned});
        if (!reconciled) {
            return error_response(fail(error_code::fenced_member_epoch,
                                       "The consumer group member is in a unknown state. The "
                                       "member must abandon all its partitions and rejoin."));
        }
        if (!(*reconciled == updated)) {
            records.push_back(current_assignment_record(group_id, *reconciled));
            if (reconciled->state == member_state::unrevoked_partitions) {
                schedule_rebalance_timeout(group_id, *reconciled);
            } else {
                ctx_.timers.cancel({timer_kind::consumer_rebalance, group_id, member_id});
            }
        }
        updated = std::move(*reconciled);
    }
    schedule_session_timeout(group_id, member_id);

    msg::consumer_group_heartbeat_response response;
    response.member_id = updated.member_id;
    response.member_epoch = updated.member_epoch;
    response.heartbeat_interval_ms = ctx_.config.consumer_heartbeat_interval_ms;
    // The assignment goes out on a full request (a join, or a member resending everything
    // after an error) and whenever it changed.
    const bool full = request.member_epoch == 0 ||
                      (request.rebalance_timeout_ms != -1 && request.subscribed_topic_names &&
                       request.topic_partitions);
    if (full || updated.assigned != member.assigned) {
        auto& a = response.assignment.emplace();
        a.topic_partitions =
            assignment_to<msg::consumer_group_heartbeat_response::topic_partitions_data>(
                updated.assigned);
    }
    return response;
}

topic_partitions consumer_group_manager::update_target_assignment(
    const consumer_group& group, int32_t group_epoch, const consumer_member& member,
    const consumer_member& updated, const subscription_metadata& metadata,
    std::vector<coordinator_record>& records) const {
    const std::string name =
        group.preferred_assignor(&member, &updated).value_or(ctx_.config.consumer_assignors.front());
    const partition_assignor* assignor = find_assignor(name);

    assignment_spec spec;
    std::map<std::string, codec::uuid> ids;  // subscribed topic name -> id, for topics with partitions
    for (const auto& [topic, t] : metadata) {
        if (t.partitions <= 0) continue;
        spec.topics[t.id] = {t.name, t.partitions};
        ids[topic] = t.id;
    }
    auto spec_member = [&](const consumer_member& m, const topic_partitions& current) {
        assignor_member a;
        a.instance_id = m.instance_id;
        a.rack_id = m.rack_id;
        for (const auto& topic : m.subscribed_topic_names) {
            auto it = ids.find(topic);
            if (it != ids.end()) a.subscribed_topic_ids.insert(it->second);
        }
        a.current_assignment = current;
        return a;
    };
    for (const auto& [id, m] : group.members()) spec.members[id] = spec_member(m, group.target_of(id));
    // The updated member; a static member replacing a departed one starts from its assignment.
    const std::string* previous = group.static_member_id(updated.instance_id);
    const topic_partitions& current = previous && *previous != updated.member_id
                                          ? group.target_of(*previous)
                                          : group.target_of(updated.member_id);
    spec.members[updated.member_id] = spec_member(updated, current);
    if (previous && *previous != updated.member_id) spec.members.erase(*previous);

    target_assignment result = assignor ? assignor->assign(spec) : target_assignment{};
    for (const auto& [id, _] : spec.members) {
        const topic_partitions& next = result[id];
        auto old = group.target_assignment().find(id);
        if (old == group.target_assignment().end() || old->second != next) {
            records.push_back(target_member_record(group.id(), id, next));
        }
    }
    records.push_back(target_epoch_record(group.id(), group_epoch));
    return result[updated.member_id];
}

}  // namespace eddy::group
