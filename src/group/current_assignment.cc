// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/current_assignment.h"

namespace eddy::group {
namespace {

// Whether the member still reports one of `revoking`; a member that reports nothing is
// taken to still own them.
bool owns_any(const reconcile_input& in, const topic_partitions& revoking) {
    if (!in.owned || !*in.owned) return true;
    for (const auto& t : **in.owned) {
        auto it = revoking.find(t.topic_id);
        if (it == revoking.end()) continue;
        for (int32_t p : t.partitions) {
            if (it->second.count(p)) return true;
        }
    }
    return false;
}

consumer_member next_assignment(const consumer_member& member, int32_t member_epoch,
                                const reconcile_input& in) {
    const topic_partitions& target = *in.target;
    const topic_partitions& current = member.assigned;
    topic_partitions assigned, revoking, adding;
    bool unreleased = false;

    std::set<codec::uuid, topic_id_less> topics;
    for (const auto& [id, _] : target) topics.insert(id);
    for (const auto& [id, _] : current) topics.insert(id);
    for (const auto& topic : topics) {
        static const std::set<int32_t> none;
        auto t = target.find(topic);
        auto c = current.find(topic);
        const auto& want = t == target.end() ? none : t->second;
        const auto& have = c == current.end() ? none : c->second;
        std::set<int32_t> keep, revoke, add;
        for (int32_t p : have) (want.count(p) ? keep : revoke).insert(p);
        for (int32_t p : want) {
            if (keep.count(p)) continue;
            // A partition another member still holds waits until it is released.
            if (in.partition_epoch(topic, p) != -1) {
                unreleased = true;
            } else {
                add.insert(p);
            }
        }
        if (!keep.empty()) assigned[topic] = std::move(keep);
        if (!revoke.empty()) revoking[topic] = std::move(revoke);
        if (!add.empty()) adding[topic] = std::move(add);
    }

    consumer_member next = member;
    auto set_epoch = [&next](int32_t epoch) {
        next.previous_member_epoch = next.member_epoch;
        next.member_epoch = epoch;
    };
    if (!revoking.empty() && owns_any(in, revoking)) {
        // Revoke first: the member stays in its epoch until it stops reporting them.
        next.state = member_state::unrevoked_partitions;
        set_epoch(member_epoch);
        next.assigned = std::move(assigned);
        next.pending_revocation = std::move(revoking);
        return next;
    }
    for (auto& [topic, partitions] : adding) assigned[topic].insert(partitions.begin(), partitions.end());
    next.state = unreleased ? member_state::unreleased_partitions : member_state::stable;
    set_epoch(in.target_epoch);
    next.assigned = std::move(assigned);
    next.pending_revocation.clear();
    return next;
}

}  // namespace

bool is_subset(const owned_partitions& owned, const topic_partitions& assignment) {
    if (!owned) return false;
    for (const auto& t : *owned) {
        auto it = assignment.find(t.topic_id);
        if (it == assignment.end()) return false;
        for (int32_t p : t.partitions) {
            if (!it->second.count(p)) return false;
        }
    }
    return true;
}

std::optional<consumer_member> reconcile(const consumer_member& member, const reconcile_input& in) {
    switch (member.state) {
        case member_state::stable:
            if (member.member_epoch != in.target_epoch) {
                return next_assignment(member, member.member_epoch, in);
            }
            return member;
        case member_state::unrevoked_partitions:
            if (owns_any(in, member.pending_revocation)) return member;
            return next_assignment(member, member.member_epoch + 1, in);
        case member_state::unreleased_partitions:
            return next_assignment(member, member.member_epoch, in);
        case member_state::unknown:
            // A state from a newer Kafka: the member rejoins from scratch.
            if (!in.owned || !*in.owned || !(*in.owned)->empty()) return std::nullopt;
            return next_assignment(member, in.target_epoch, in);
    }
    return member;
}

}  // namespace eddy::group
