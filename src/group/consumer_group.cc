// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/consumer_group.h"

#include "group/consumer_protocol.h"

namespace eddy::group {
namespace {

const topic_partitions& no_partitions() {
    static const topic_partitions empty;
    return empty;
}

void bump(std::map<std::string, int>& counts, const std::string& key, int delta) {
    int& n = counts[key];
    n += delta;
    if (n <= 0) counts.erase(key);
}

std::vector<msg::consumer_group_describe_response::topic_partitions_data> described(
    const topic_partitions& assignment, const topic_view& topics) {
    std::vector<msg::consumer_group_describe_response::topic_partitions_data> out;
    for (const auto& [id, partitions] : assignment) {
        // Kafka leaves out topics the metadata image no longer has.
        auto topic = topics.by_id ? topics.by_id(id) : std::nullopt;
        if (!topic) continue;
        auto& t = out.emplace_back();
        t.topic_id = id;
        t.topic_name = topic->name;
        t.partitions.assign(partitions.begin(), partitions.end());
    }
    return out;
}

}  // namespace

member_state member_state_from(int8_t value) {
    switch (value) {
        case 0: return member_state::stable;
        case 1: return member_state::unrevoked_partitions;
        case 2: return member_state::unreleased_partitions;
        default: return member_state::unknown;
    }
}

std::string_view state_name(consumer_group_state state) {
    switch (state) {
        case consumer_group_state::empty: return "Empty";
        case consumer_group_state::assigning: return "Assigning";
        case consumer_group_state::reconciling: return "Reconciling";
        case consumer_group_state::stable: return "Stable";
        case consumer_group_state::dead: return "Dead";
    }
    return "Dead";
}

const consumer_member* consumer_group::member(const std::string& member_id) const {
    auto it = members_.find(member_id);
    return it == members_.end() ? nullptr : &it->second;
}

const std::string* consumer_group::static_member_id(
    const std::optional<std::string>& instance_id) const {
    if (!instance_id) return nullptr;
    auto it = static_members_.find(*instance_id);
    return it == static_members_.end() ? nullptr : &it->second;
}

const consumer_member* consumer_group::static_member(
    const std::optional<std::string>& instance_id) const {
    const std::string* id = static_member_id(instance_id);
    return id ? member(*id) : nullptr;
}

std::map<std::string, int> consumer_group::subscribed_topic_names_with(
    const consumer_member* old_member, const consumer_member* new_member) const {
    auto out = subscribed_;
    if (old_member) {
        for (const auto& t : old_member->subscribed_topic_names) bump(out, t, -1);
    }
    if (new_member) {
        for (const auto& t : new_member->subscribed_topic_names) bump(out, t, 1);
    }
    return out;
}

std::optional<std::string> consumer_group::preferred_assignor(
    const consumer_member* old_member, const consumer_member* new_member) const {
    auto counts = assignors_;
    if (old_member && old_member->server_assignor) bump(counts, *old_member->server_assignor, -1);
    if (new_member && new_member->server_assignor) bump(counts, *new_member->server_assignor, 1);
    std::optional<std::string> best;
    int most = 0;
    for (const auto& [name, n] : counts) {
        if (n > most) {
            most = n;
            best = name;
        }
    }
    return best;
}

const topic_partitions& consumer_group::target_of(const std::string& member_id) const {
    auto it = target_.find(member_id);
    return it == target_.end() ? no_partitions() : it->second;
}

const topic_partitions& consumer_group::target_of(
    const std::string& member_id, const std::optional<std::string>& instance_id) const {
    if (!instance_id) return target_of(member_id);
    if (const std::string* previous = static_member_id(instance_id)) return target_of(*previous);
    return no_partitions();
}

int32_t consumer_group::partition_epoch(const codec::uuid& topic, int32_t partition) const {
    auto t = partition_epochs_.find(topic);
    if (t == partition_epochs_.end()) return -1;
    auto p = t->second.find(partition);
    return p == t->second.end() ? -1 : p->second;
}

void consumer_group::set_group_epoch(int32_t epoch) {
    group_epoch_ = epoch;
    update_state();
}

void consumer_group::set_assignment_epoch(int32_t epoch) {
    assignment_epoch_ = epoch;
    update_state();
}

void consumer_group::count(const consumer_member& m, int delta) {
    for (const auto& t : m.subscribed_topic_names) bump(subscribed_, t, delta);
    if (m.server_assignor) bump(assignors_, *m.server_assignor, delta);
}

void consumer_group::add_epochs(const consumer_member& m) {
    for (const auto* a : {&m.assigned, &m.pending_revocation}) {
        for (const auto& [topic, partitions] : *a) {
            for (int32_t p : partitions) partition_epochs_[topic][p] = m.member_epoch;
        }
    }
}

void consumer_group::remove_epochs(const consumer_member& m) {
    for (const auto* a : {&m.assigned, &m.pending_revocation}) {
        for (const auto& [topic, partitions] : *a) {
            auto t = partition_epochs_.find(topic);
            if (t == partition_epochs_.end()) continue;
            for (int32_t p : partitions) {
                // Only the owner's own epoch is removed; another member may hold it by now.
                auto it = t->second.find(p);
                if (it != t->second.end() && it->second == m.member_epoch) t->second.erase(it);
            }
            if (t->second.empty()) partition_epochs_.erase(t);
        }
    }
}

void consumer_group::update_member(consumer_member member) {
    auto it = members_.find(member.member_id);
    if (it != members_.end()) {
        count(it->second, -1);
        remove_epochs(it->second);
    }
    count(member, 1);
    add_epochs(member);
    if (member.instance_id) static_members_[*member.instance_id] = member.member_id;
    const std::string id = member.member_id;
    members_.insert_or_assign(id, std::move(member));
    update_state();
}

void consumer_group::remove_member(const std::string& member_id) {
    auto it = members_.find(member_id);
    if (it == members_.end()) return;
    count(it->second, -1);
    remove_epochs(it->second);
    if (it->second.instance_id) {
        auto s = static_members_.find(*it->second.instance_id);
        if (s != static_members_.end() && s->second == member_id) static_members_.erase(s);
    }
    members_.erase(it);
    update_state();
}

void consumer_group::update_target(const std::string& member_id, topic_partitions assignment) {
    target_.insert_or_assign(member_id, std::move(assignment));
}

void consumer_group::remove_target(const std::string& member_id) { target_.erase(member_id); }

void consumer_group::update_state() {
    // Kafka's ConsumerGroup.maybeUpdateGroupState.
    if (members_.empty()) {
        state_ = consumer_group_state::empty;
    } else if (group_epoch_ > assignment_epoch_) {
        state_ = consumer_group_state::assigning;
    } else {
        state_ = consumer_group_state::stable;
        for (const auto& [_, m] : members_) {
            if (!m.is_reconciled_to(assignment_epoch_)) {
                state_ = consumer_group_state::reconciling;
                break;
            }
        }
    }
}

msg::consumer_group_describe_response::described_group consumer_group::describe(
    const std::string& default_assignor, const topic_view& topics) const {
    msg::consumer_group_describe_response::described_group d;
    d.group_id = id_;
    d.group_state = std::string(state_name(state_));
    d.group_epoch = group_epoch_;
    d.assignment_epoch = assignment_epoch_;
    d.assignor_name = preferred_assignor().value_or(default_assignor);
    for (const auto& [id, m] : members_) {
        auto& dm = d.members.emplace_back();
        dm.member_id = id;
        dm.instance_id = m.instance_id;
        dm.rack_id = m.rack_id;
        dm.member_epoch = m.member_epoch;
        dm.client_id = m.client_id;
        dm.client_host = m.client_host;
        dm.subscribed_topic_names.assign(m.subscribed_topic_names.begin(),
                                         m.subscribed_topic_names.end());
        dm.subscribed_topic_regex = m.subscribed_topic_regex;
        dm.assignment.topic_partitions = described(m.assigned, topics);
        dm.target_assignment.topic_partitions = described(target_of(id), topics);
    }
    return d;
}

msg::list_groups_response::listed_group consumer_group::listed() const {
    msg::list_groups_response::listed_group l;
    l.group_id = id_;
    l.protocol_type = std::string(consumer_protocol_type);
    l.group_state = std::string(state_name(state_));
    l.group_type = "consumer";
    return l;
}

}  // namespace eddy::group
