// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/offsets.h"

#include <vector>

#include "eddy/error_code.h"

namespace eddy::group {
namespace {

constexpr int16_t code(error_code e) { return static_cast<int16_t>(e); }

// What an offset's retention period counts from, per Kafka's ClassicGroup rule.
enum class retention_base { none, state_or_commit, commit };

retention_base retention_base_of(const classic_group& group) {
    // A group without a protocol type only ever committed offsets ("simple" group): each
    // offset counts from its own commit.
    if (!group.protocol_type()) return retention_base::commit;
    // An Empty group's offsets count from when it became Empty (or, for groups written
    // without that time, from their commit).
    if (group.is(group_state::empty)) return retention_base::state_or_commit;
    // A Stable consumer group loses offsets of topics it no longer subscribes to.
    if (group.uses_consumer_protocol() && group.subscribed_topics() &&
        group.is(group_state::stable)) {
        return retention_base::commit;
    }
    return retention_base::none;
}

}  // namespace

const offset_entry* offset_manager::lookup(const std::string& group, const std::string& topic,
                                           int32_t partition) const {
    auto g = offsets_.find(group);
    if (g == offsets_.end()) return nullptr;
    auto t = g->second.find(topic);
    if (t == g->second.end()) return nullptr;
    auto p = t->second.find(partition);
    return p == t->second.end() ? nullptr : &p->second;
}

int16_t offset_manager::validate_commit(classic_group& group,
                                        const msg::offset_commit_request& r) const {
    if (group.is(group_state::dead)) return code(error_code::coordinator_not_available);
    // Generation -1 comes from the admin client or a consumer that assigns partitions
    // itself: allowed while the group has no members.
    if (r.generation_id_or_member_epoch < 0 && group.is(group_state::empty)) {
        return code(error_code::none);
    }
    if (r.generation_id_or_member_epoch >= 0 || !r.member_id.empty() || r.group_instance_id) {
        if (int16_t e = group.validate_member(r.member_id, r.group_instance_id)) return e;
        if (r.generation_id_or_member_epoch != group.generation()) {
            return code(error_code::illegal_generation);
        }
    } else if (!group.is(group_state::empty)) {
        // Without member id and generation only an Empty group takes commits.
        return code(error_code::unknown_member_id);
    }
    // The member has its new generation from JoinGroup but not yet its assignment.
    if (group.is(group_state::completing_rebalance)) {
        return code(error_code::rebalance_in_progress);
    }
    return code(error_code::none);
}

msg::offset_commit_response offset_manager::commit(const msg::offset_commit_request& request,
                                                   int16_t version) {
    if (const consumer_group* cg = consumers_.find(request.group_id)) {
        return commit_to_consumer_group(*cg, request, version);
    }
    int16_t error = code(error_code::none);
    classic_group* group = groups_.find(request.group_id);
    if (!group) {
        if (request.generation_id_or_member_epoch < 0) {
            group = &groups_.find_or_create_simple(request.group_id, ctx_.now_ms);
        } else {
            // v9 answers GROUP_ID_NOT_FOUND; older versions keep ILLEGAL_GENERATION.
            error = version >= 9 ? code(error_code::group_id_not_found)
                                 : code(error_code::illegal_generation);
        }
    }
    if (group) error = validate_commit(*group, request);

    msg::offset_commit_response response;
    if (!error && (group->is(group_state::stable) || group->is(group_state::preparing_rebalance))) {
        // A commit from a member keeps its session alive.
        if (classic_member* m = group->member(request.member_id)) {
            groups_.reschedule_heartbeat(*group, *m);
        }
    }
    write_commits(request, error, response);
    return response;
}

msg::offset_commit_response offset_manager::commit_to_consumer_group(
    const consumer_group& group, const msg::offset_commit_request& r, int16_t version) {
    msg::offset_commit_response response;
    write_commits(r, consumers_.validate_offset_commit(group, r.member_id,
                                                       r.generation_id_or_member_epoch, version),
                  response);
    return response;
}

void offset_manager::write_commits(const msg::offset_commit_request& request, int16_t error,
                                   msg::offset_commit_response& response) {
    // retention_time_ms (v2-v4) overrides offsets.retention.minutes for these offsets.
    std::optional<int64_t> expire;
    if (request.retention_time_ms != -1) expire = ctx_.now_ms + request.retention_time_ms;

    for (const auto& topic : request.topics) {
        auto& rt = response.topics.emplace_back();
        rt.name = topic.name;
        for (const auto& p : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            const std::string metadata = p.committed_metadata.value_or("");
            if (error) {
                rp.error_code = error;
            } else if (metadata.size() > static_cast<size_t>(ctx_.config.offset_metadata_max_bytes)) {
                rp.error_code = code(error_code::offset_metadata_too_large);
            } else {
                offset_entry e;
                e.offset = p.committed_offset;
                if (p.committed_leader_epoch >= 0) e.leader_epoch = p.committed_leader_epoch;
                e.metadata = metadata;
                // v1 may carry the commit time; otherwise it is now.
                e.commit_timestamp_ms = p.commit_timestamp == -1 ? ctx_.now_ms : p.commit_timestamp;
                e.expire_timestamp_ms = expire;
                ctx_.append(offset_commit_record(request.group_id, topic.name, p.partition_index, e),
                            true);
            }
        }
    }
}

msg::offset_fetch_response::offset_fetch_response_group offset_manager::fetch(
    const msg::offset_fetch_request::offset_fetch_request_group& request) const {
    msg::offset_fetch_response::offset_fetch_response_group out;
    out.group_id = request.group_id;
    const classic_group* group = groups_.find(request.group_id);
    const consumer_group* cg = consumers_.find(request.group_id);
    if (cg) {
        out.error_code = consumers_.validate_offset_fetch(*cg, request.member_id, request.member_epoch);
        if (out.error_code) return out;
    }
    // Offsets are answered whatever the group's state: groups that assign partitions
    // themselves keep offsets here too. A group that does not exist has none.
    const bool known = cg || (group && !group->is(group_state::dead));
    auto fill = [](auto& rp, const offset_entry* e) {
        rp.committed_offset = e ? e->offset : -1;
        rp.committed_leader_epoch = e ? e->leader_epoch.value_or(-1) : -1;
        rp.metadata = e ? e->metadata : std::string();
    };
    if (!request.topics) {
        auto g = offsets_.find(request.group_id);
        if (!known || g == offsets_.end()) return out;
        for (const auto& [topic, parts] : g->second) {
            auto& rt = out.topics.emplace_back();
            rt.name = topic;
            for (const auto& [partition, e] : parts) {
                auto& rp = rt.partitions.emplace_back();
                rp.partition_index = partition;
                fill(rp, &e);
            }
        }
        return out;
    }
    for (const auto& topic : *request.topics) {
        auto& rt = out.topics.emplace_back();
        rt.name = topic.name;
        for (int32_t partition : topic.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = partition;
            fill(rp, known ? lookup(request.group_id, topic.name, partition) : nullptr);
        }
    }
    return out;
}

msg::offset_delete_response offset_manager::delete_offsets(
    const msg::offset_delete_request& request) {
    msg::offset_delete_response r;
    if (request.group_id.empty()) {
        r.error_code = code(error_code::invalid_group_id);
        return r;
    }
    const consumer_group* cg = consumers_.find(request.group_id);
    const classic_group* group = groups_.find(request.group_id);
    if (cg) {
        // Any consumer group may delete offsets of the topics it does not subscribe to.
        delete_unsubscribed(
            request, [cg](const std::string& t) { return cg->is_subscribed_to_topic(t); }, r);
        return r;
    }
    if (!group || group->is(group_state::dead)) {
        r.error_code = code(error_code::group_id_not_found);
        return r;
    }
    // Only consumer groups tell which topics they use; any other group must be Empty.
    if (!group->is(group_state::empty) && !group->uses_consumer_protocol()) {
        r.error_code = code(error_code::non_empty_group);
        return r;
    }
    delete_unsubscribed(request,
                        [group](const std::string& t) { return group->is_subscribed_to_topic(t); }, r);
    return r;
}

void offset_manager::delete_unsubscribed(
    const msg::offset_delete_request& request,
    const std::function<bool(const std::string&)>& is_subscribed, msg::offset_delete_response& r) {
    for (const auto& topic : request.topics) {
        auto& rt = r.topics.emplace_back();
        rt.name = topic.name;
        const bool subscribed = is_subscribed(topic.name);
        for (const auto& p : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            if (subscribed) {
                rp.error_code = code(error_code::group_subscribed_to_topic);
            } else if (lookup(request.group_id, topic.name, p.partition_index)) {
                ctx_.append(offset_commit_tombstone(request.group_id, topic.name, p.partition_index),
                            true);
            }
        }
    }
}

void offset_manager::delete_all(const std::string& group_id) {
    auto g = offsets_.find(group_id);
    if (g == offsets_.end()) return;
    std::vector<std::pair<std::string, int32_t>> keys;
    for (const auto& [topic, parts] : g->second) {
        for (const auto& [partition, _] : parts) keys.emplace_back(topic, partition);
    }
    for (const auto& [topic, partition] : keys) {
        ctx_.append(offset_commit_tombstone(group_id, topic, partition), true);
    }
}

bool offset_manager::cleanup_expired(const std::string& group_id) {
    auto g = offsets_.find(group_id);
    if (g == offsets_.end()) return true;
    const classic_group* group = groups_.find(group_id);
    const consumer_group* cg = consumers_.find(group_id);
    if (!group && !cg) return false;
    // A consumer group's offsets each count from their commit (Kafka's
    // OffsetExpirationCondition on the commit timestamp), whatever the group's state.
    const retention_base base = cg ? retention_base::commit : retention_base_of(*group);
    if (base == retention_base::none) return false;
    auto subscribed = [&](const std::string& topic) {
        return cg ? cg->is_subscribed_to_topic(topic) : group->is_subscribed_to_topic(topic);
    };

    const int64_t retention_ms = ctx_.config.offsets_retention_minutes * 60 * 1000;
    bool all_expired = true;
    std::vector<std::pair<std::string, int32_t>> expired;
    for (const auto& [topic, parts] : g->second) {
        if (subscribed(topic)) {
            all_expired = false;
            continue;
        }
        for (const auto& [partition, e] : parts) {
            bool gone;
            if (e.expire_timestamp_ms) {
                // Old commits with an explicit expire time keep the old rule.
                gone = ctx_.now_ms >= *e.expire_timestamp_ms;
            } else {
                const int64_t from = base == retention_base::state_or_commit
                                         ? group->state_timestamp_ms().value_or(e.commit_timestamp_ms)
                                         : e.commit_timestamp_ms;
                gone = ctx_.now_ms - from >= retention_ms;
            }
            if (gone) {
                expired.emplace_back(topic, partition);
            } else {
                all_expired = false;
            }
        }
    }
    for (const auto& [topic, partition] : expired) {
        ctx_.append(offset_commit_tombstone(group_id, topic, partition), true);
    }
    return all_expired;
}

void offset_manager::replay(offset_commit_event event) {
    if (event.value) {
        // Offsets committed outside group management create a "simple" group; a consumer
        // group keeps its offsets itself.
        if (!consumers_.find(event.group)) groups_.find_or_create_simple(event.group, std::nullopt);
        offsets_[event.group][event.topic][event.partition] = std::move(*event.value);
        return;
    }
    auto g = offsets_.find(event.group);
    if (g == offsets_.end()) return;
    auto t = g->second.find(event.topic);
    if (t == g->second.end()) return;
    t->second.erase(event.partition);
    if (t->second.empty()) g->second.erase(t);
    if (g->second.empty()) offsets_.erase(g);
}

}  // namespace eddy::group
