// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/offsets.h"

#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "eddy/error_code.h"

namespace eddy::group {
namespace {

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

// The length Kafka compares offset.metadata.max.bytes with: Java's String.length(), in
// UTF-16 code units, not bytes (a character outside the BMP counts two, any other one).
size_t java_length(std::string_view utf8) {
    size_t units = 0;
    for (unsigned char c : utf8) {
        if ((c & 0xC0) != 0x80) ++units;  // each character starts with a non-continuation byte
        if (c >= 0xF0) ++units;           // four-byte sequences are surrogate pairs
    }
    return units;
}

// The offset an OffsetCommit or TxnOffsetCommit partition carries (metadata apart).
template <class Partition>
offset_entry entry_of(const Partition& p, int64_t commit_timestamp_ms) {
    offset_entry e;
    e.offset = p.committed_offset;
    if (p.committed_leader_epoch >= 0) e.leader_epoch = p.committed_leader_epoch;
    e.commit_timestamp_ms = commit_timestamp_ms;
    return e;
}

}  // namespace

const offset_entry* offset_manager::lookup(const std::string& group, const std::string& topic,
                                           int32_t partition) const {
    auto g = offsets_.find(group);
    if (g == offsets_.end()) return nullptr;
    auto t = g->second.find(topic);
    if (t == g->second.end()) return nullptr;
    auto p = t->second.find(partition);
    return p == t->second.end() ? nullptr : &p->second.entry;
}

bool offset_manager::has_pending(const std::string& group, const std::string& topic,
                                 int32_t partition) const {
    auto g = open_.find(group);
    if (g == open_.end()) return false;
    auto t = g->second.find(topic);
    return t != g->second.end() && t->second.count(partition) > 0;
}

int16_t offset_manager::validate_commit(classic_group& group, int32_t generation,
                                        const std::string& member_id,
                                        const std::optional<std::string>& instance,
                                        bool transactional) const {
    if (group.is(group_state::dead)) return wire_code(error_code::coordinator_not_available);
    // Generation -1 comes from the admin client or a consumer that assigns partitions
    // itself: allowed while the group has no members.
    if (generation < 0 && group.is(group_state::empty)) return wire_code(error_code::none);
    if (generation >= 0 || !member_id.empty() || instance) {
        if (int16_t e = group.validate_member(member_id, instance)) return e;
        if (generation != group.generation()) return wire_code(error_code::illegal_generation);
    } else if (!transactional && !group.is(group_state::empty)) {
        // Without member id and generation only an Empty group takes commits; not so for
        // transactional commits, whose versions before v3 carry neither.
        return wire_code(error_code::unknown_member_id);
    }
    // The member has its new generation from JoinGroup but not yet its assignment.
    // Transactional commits do not look at the group's state.
    if (!transactional && group.is(group_state::completing_rebalance)) {
        return wire_code(error_code::rebalance_in_progress);
    }
    return wire_code(error_code::none);
}

int16_t offset_manager::validate_group(const std::string& group_id, int32_t generation,
                                       const std::string& member_id,
                                       const std::optional<std::string>& instance,
                                       int16_t version, bool transactional) {
    if (const consumer_group* cg = consumers_.find(group_id)) {
        // TxnOffsetCommit before v3 names no member: only what is given is checked.
        if (transactional && generation == -1 && member_id.empty() && !instance) {
            return wire_code(error_code::none);
        }
        const int16_t e =
            consumers_.validate_offset_commit(*cg, member_id, generation, version, transactional);
        // A transactional commit with a stale member epoch is told ILLEGAL_GENERATION.
        if (transactional && e == wire_code(error_code::stale_member_epoch)) {
            return wire_code(error_code::illegal_generation);
        }
        return e;
    }
    classic_group* group = groups_.find(group_id);
    if (!group) {
        if (generation >= 0) {
            // OffsetCommit v9 answers GROUP_ID_NOT_FOUND; older versions and every
            // TxnOffsetCommit keep ILLEGAL_GENERATION.
            return !transactional && version >= 9 ? wire_code(error_code::group_id_not_found)
                                                   : wire_code(error_code::illegal_generation);
        }
        group = &groups_.find_or_create_simple(group_id, ctx_.now_ms);
    }
    const int16_t error = validate_commit(*group, generation, member_id, instance, transactional);
    if (!error && !transactional &&
        (group->is(group_state::stable) || group->is(group_state::preparing_rebalance))) {
        // A commit from a member keeps its session alive.
        if (classic_member* m = group->member(member_id)) groups_.reschedule_heartbeat(*group, *m);
    }
    return error;
}

msg::offset_commit_response offset_manager::commit(const msg::offset_commit_request& request,
                                                   int16_t version) {
    const int16_t error =
        validate_group(request.group_id, request.generation_id_or_member_epoch, request.member_id,
                       request.group_instance_id, version, false);
    // retention_time_ms (v2-v4) overrides offsets.retention.minutes for these offsets.
    std::optional<int64_t> expire;
    if (request.retention_time_ms != -1) expire = ctx_.now_ms + request.retention_time_ms;

    msg::offset_commit_response response;
    for (const auto& topic : request.topics) {
        auto& rt = response.topics.emplace_back();
        rt.name = topic.name;
        for (const auto& p : topic.partitions) {
            // v1 may carry the commit time; otherwise it is now.
            offset_entry e =
                entry_of(p, p.commit_timestamp == -1 ? ctx_.now_ms : p.commit_timestamp);
            e.expire_timestamp_ms = expire;
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            rp.error_code = write_one(request.group_id, topic.name, p.partition_index,
                                      p.committed_metadata, error, std::move(e), -1, -1);
        }
    }
    return response;
}

msg::txn_offset_commit_response offset_manager::commit_transactional(
    const msg::txn_offset_commit_request& request, int16_t version) {
    msg::txn_offset_commit_response response;
    // Kafka's GroupCoordinatorService refuses an empty group id before the shard.
    const int16_t error =
        request.group_id.empty()
            ? wire_code(error_code::invalid_group_id)
            : validate_group(request.group_id, request.generation_id, request.member_id,
                             request.group_instance_id, version, true);
    for (const auto& topic : request.topics) {
        auto& rt = response.topics.emplace_back();
        rt.name = topic.name;
        for (const auto& p : topic.partitions) {
            offset_entry e = entry_of(p, ctx_.now_ms);
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            rp.error_code = write_one(request.group_id, topic.name, p.partition_index,
                                      p.committed_metadata, error, std::move(e),
                                      request.producer_id, request.producer_epoch);
        }
    }
    return response;
}

int16_t offset_manager::write_one(const std::string& group, const std::string& topic,
                                  int32_t partition, const std::optional<std::string>& metadata,
                                  int16_t error, offset_entry entry, int64_t producer_id,
                                  int16_t producer_epoch) {
    if (error) return error;
    entry.metadata = metadata.value_or("");
    if (java_length(entry.metadata) > static_cast<size_t>(ctx_.config.offset_metadata_max_bytes)) {
        return wire_code(error_code::offset_metadata_too_large);
    }
    coordinator_record r = offset_commit_record(group, topic, partition, entry);
    r.producer_id = producer_id;
    r.producer_epoch = producer_epoch;
    ctx_.append(std::move(r), true);
    return wire_code(error_code::none);
}

msg::offset_fetch_response::offset_fetch_response_group offset_manager::fetch(
    const msg::offset_fetch_request::offset_fetch_request_group& request,
    bool require_stable) const {
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
    // A partition of an open transaction has no stable offset yet: the client asking for
    // one retries until the marker.
    auto fill = [&](auto& rp, const std::string& topic, const offset_entry* e) {
        if (require_stable && known && has_pending(request.group_id, topic, rp.partition_index)) {
            rp.error_code = wire_code(error_code::unstable_offset_commit);
            e = nullptr;
        }
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
            for (const auto& [partition, stored] : parts) {
                auto& rp = rt.partitions.emplace_back();
                rp.partition_index = partition;
                fill(rp, topic, &stored.entry);
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
            fill(rp, topic.name, known ? lookup(request.group_id, topic.name, partition) : nullptr);
        }
    }
    return out;
}

msg::offset_delete_response offset_manager::delete_offsets(
    const msg::offset_delete_request& request) {
    msg::offset_delete_response r;
    if (request.group_id.empty()) {
        r.error_code = wire_code(error_code::invalid_group_id);
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
        r.error_code = wire_code(error_code::group_id_not_found);
        return r;
    }
    // Only consumer groups tell which topics they use; any other group must be Empty.
    if (!group->is(group_state::empty) && !group->uses_consumer_protocol()) {
        r.error_code = wire_code(error_code::non_empty_group);
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
                rp.error_code = wire_code(error_code::group_subscribed_to_topic);
            } else if (lookup(request.group_id, topic.name, p.partition_index) ||
                       has_pending(request.group_id, topic.name, p.partition_index)) {
                // The tombstone drops pending transactional offsets too.
                ctx_.append(offset_commit_tombstone(request.group_id, topic.name, p.partition_index),
                            true);
            }
        }
    }
}

void offset_manager::delete_all(const std::string& group_id) {
    std::set<std::pair<std::string, int32_t>> keys;
    if (auto g = offsets_.find(group_id); g != offsets_.end()) {
        for (const auto& [topic, parts] : g->second) {
            for (const auto& [partition, _] : parts) keys.emplace(topic, partition);
        }
    }
    // Partitions with only pending transactional offsets need their tombstone too.
    if (auto g = open_.find(group_id); g != open_.end()) {
        for (const auto& [topic, parts] : g->second) {
            for (const auto& [partition, _] : parts) keys.emplace(topic, partition);
        }
    }
    for (const auto& [topic, partition] : keys) {
        ctx_.append(offset_commit_tombstone(group_id, topic, partition), true);
    }
}

void offset_manager::delete_partitions(const partitions_by_topic& deleted) {
    std::set<std::tuple<std::string, std::string, int32_t>> keys;
    auto collect = [&](const std::string& group, const auto& topics) {
        for (const auto& [topic, parts] : topics) {
            auto gone = deleted.find(topic);
            if (gone == deleted.end()) continue;
            for (const auto& [partition, _] : parts)
                if (gone->second.count(partition) > 0) keys.emplace(group, topic, partition);
        }
    };
    for (const auto& [group, topics] : offsets_) collect(group, topics);
    // Partitions with only pending transactional offsets need their tombstone too.
    for (const auto& [group, topics] : open_) collect(group, topics);
    for (const auto& [group, topic, partition] : keys)
        ctx_.append(offset_commit_tombstone(group, topic, partition), true);
}

bool offset_manager::cleanup_expired(const std::string& group_id) {
    // A group with an open transaction is kept, whatever its committed offsets.
    const bool open = open_.count(group_id) > 0;
    auto g = offsets_.find(group_id);
    if (g == offsets_.end()) return !open;
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
        for (const auto& [partition, stored] : parts) {
            const offset_entry& e = stored.entry;
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
            // An offset waiting for a transaction's outcome stays until then.
            if (gone && !has_pending(group_id, topic, partition)) {
                expired.emplace_back(topic, partition);
            } else {
                all_expired = false;
            }
        }
    }
    for (const auto& [topic, partition] : expired) {
        ctx_.append(offset_commit_tombstone(group_id, topic, partition), true);
    }
    return all_expired && !open;
}

namespace {

// Removes group/topic/partition from a nested map, dropping the levels left empty.
template <class Map>
void erase_partition(Map& by_group, const std::string& group, const std::string& topic,
                     int32_t partition) {
    auto g = by_group.find(group);
    if (g == by_group.end()) return;
    auto t = g->second.find(topic);
    if (t == g->second.end()) return;
    t->second.erase(partition);
    if (t->second.empty()) g->second.erase(t);
    if (g->second.empty()) by_group.erase(g);
}

}  // namespace

void offset_manager::replay(offset_commit_event event, int64_t producer_id) {
    if (event.value) {
        // Offsets committed outside group management create a "simple" group; a consumer
        // group keeps its offsets itself.
        if (!consumers_.find(event.group)) groups_.find_or_create_simple(event.group, std::nullopt);
        stored_offset stored{std::move(*event.value), next_order_++};
        if (producer_id < 0) {
            offsets_[event.group][event.topic][event.partition] = std::move(stored);
        } else {
            pending_[producer_id][event.group][event.topic][event.partition] = std::move(stored);
            open_[event.group][event.topic][event.partition].insert(producer_id);
        }
        return;
    }
    erase_partition(offsets_, event.group, event.topic, event.partition);
    // A tombstone drops the partition's pending transactional offsets too.
    auto g = open_.find(event.group);
    if (g == open_.end()) return;
    auto t = g->second.find(event.topic);
    if (t == g->second.end()) return;
    auto p = t->second.find(event.partition);
    if (p == t->second.end()) return;
    for (int64_t producer : p->second) {
        if (auto it = pending_.find(producer); it != pending_.end()) {
            erase_partition(it->second, event.group, event.topic, event.partition);
        }
    }
    erase_partition(open_, event.group, event.topic, event.partition);
}

void offset_manager::replay_end_transaction(int64_t producer_id, bool commit) {
    auto it = pending_.find(producer_id);
    if (it == pending_.end()) return;  // a transaction without offsets here
    group_offsets done = std::move(it->second);
    pending_.erase(it);
    for (auto& [group, topics] : done) {
        for (auto& [topic, parts] : topics) {
            for (auto& [partition, stored] : parts) {
                if (auto g = open_.find(group); g != open_.end()) {
                    if (auto t = g->second.find(topic); t != g->second.end()) {
                        if (auto p = t->second.find(partition); p != t->second.end()) {
                            p->second.erase(producer_id);
                            if (p->second.empty()) erase_partition(open_, group, topic, partition);
                        }
                    }
                }
                if (!commit) continue;
                // The latest record of the partition wins: a plain commit written after
                // the transactional one stays.
                stored_offset& current = offsets_[group][topic][partition];
                if (current.order <= stored.order) current = std::move(stored);
            }
        }
    }
}

}  // namespace eddy::group
