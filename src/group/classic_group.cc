// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/classic_group.h"

#include <algorithm>

#include "eddy/error_code.h"
#include "group/consumer_protocol.h"

namespace eddy::group {

std::string_view state_name(group_state state) {
    switch (state) {
        case group_state::empty:
            return "Empty";
        case group_state::preparing_rebalance:
            return "PreparingRebalance";
        case group_state::completing_rebalance:
            return "CompletingRebalance";
        case group_state::stable:
            return "Stable";
        case group_state::dead:
            return "Dead";
    }
    return "Dead";
}

const std::vector<uint8_t>* classic_member::metadata(const std::string& protocol) const {
    for (const auto& p : protocols) {
        if (p.name == protocol) return &p.metadata;
    }
    return nullptr;
}

classic_group::classic_group(std::string id, group_state state,
                             std::optional<int64_t> state_timestamp_ms)
    : id_(std::move(id)), state_(state), state_timestamp_ms_(state_timestamp_ms) {}

bool classic_group::uses_consumer_protocol() const {
    return protocol_type_ && *protocol_type_ == consumer_protocol_type;
}

classic_member* classic_group::member(const std::string& member_id) {
    auto it = members_.find(member_id);
    return it == members_.end() ? nullptr : &it->second;
}

void classic_group::count_protocols(const classic_member& member, int delta) {
    for (const auto& p : member.protocols) {
        auto& n = supported_protocols_[p.name];
        n = delta > 0 ? n + 1 : n - 1;
        if (n == 0) supported_protocols_.erase(p.name);
    }
}

void classic_group::add(classic_member member) {
    if (member.group_instance_id) static_members_[*member.group_instance_id] = member.member_id;
    if (members_.empty()) protocol_type_ = member.protocol_type;
    if (!leader_) leader_ = member.member_id;
    if (member.is_awaiting_join()) ++num_awaiting_join_;
    count_protocols(member, +1);
    pending_join_.erase(member.member_id);
    const std::string id = member.member_id;
    members_.insert_or_assign(id, std::move(member));
}

void classic_group::remove(const std::string& member_id, outbox& out) {
    auto it = members_.find(member_id);
    if (it != members_.end()) {
        classic_member& m = it->second;
        msg::join_group_response join;
        join.error_code = wire_code(error_code::unknown_member_id);
        complete_join(m, std::move(join), out);
        msg::sync_group_response sync;
        sync.error_code = wire_code(error_code::unknown_member_id);
        complete_sync(m, std::move(sync), out);
        count_protocols(m, -1);
        if (m.group_instance_id) static_members_.erase(*m.group_instance_id);
        members_.erase(it);
    }
    if (is_leader(member_id)) {
        leader_ = members_.empty() ? std::nullopt : std::optional(members_.begin()->first);
    }
    pending_join_.erase(member_id);
    pending_sync_.erase(member_id);
}

classic_member& classic_group::replace_static_member(const std::string& instance_id,
                                                     const std::string& old_member_id,
                                                     const std::string& new_member_id,
                                                     outbox& out) {
    auto node = members_.extract(old_member_id);
    classic_member& old = node.mapped();
    // A duplicate client may still wait on the old member id: fence it now.
    msg::join_group_response join;
    join.member_id = old_member_id;
    join.protocol_name = std::nullopt;
    join.error_code = wire_code(error_code::fenced_instance_id);
    complete_join(old, std::move(join), out);
    msg::sync_group_response sync;
    sync.error_code = wire_code(error_code::fenced_instance_id);
    complete_sync(old, std::move(sync), out);

    classic_member fresh = std::move(old);
    fresh.member_id = new_member_id;
    fresh.awaiting_join = nullptr;
    fresh.awaiting_sync = nullptr;
    fresh.is_new = false;
    if (is_leader(old_member_id)) leader_ = new_member_id;
    static_members_[instance_id] = new_member_id;
    pending_sync_.erase(old_member_id);
    return members_.insert_or_assign(new_member_id, std::move(fresh)).first->second;
}

void classic_group::update_member(classic_member& member, std::vector<member_protocol> protocols,
                                  int32_t rebalance_timeout_ms, int32_t session_timeout_ms,
                                  reply<msg::join_group_response> done, outbox& out) {
    count_protocols(member, -1);
    member.protocols = std::move(protocols);
    count_protocols(member, +1);
    member.rebalance_timeout_ms = rebalance_timeout_ms;
    member.session_timeout_ms = session_timeout_ms;
    if (done && member.is_awaiting_join()) {
        // Kafka drops the earlier parked JoinGroup of this member id (its client has given
        // up on it); answering it instead leaves no reply hanging in the runtime.
        msg::join_group_response superseded;
        superseded.member_id = member.member_id;
        superseded.error_code = wire_code(error_code::rebalance_in_progress);
        post(out, std::move(member.awaiting_join), std::move(superseded));
        member.awaiting_join = nullptr;
    } else if (done) {
        ++num_awaiting_join_;
    } else if (member.is_awaiting_join()) {
        --num_awaiting_join_;
    }
    member.awaiting_join = std::move(done);
}

bool classic_group::complete_join(classic_member& member, msg::join_group_response response,
                                  outbox& out) {
    if (!member.is_awaiting_join()) return false;
    post(out, std::move(member.awaiting_join), std::move(response));
    member.awaiting_join = nullptr;
    --num_awaiting_join_;
    return true;
}

bool classic_group::complete_sync(classic_member& member, msg::sync_group_response response,
                                  outbox& out) {
    if (!member.is_awaiting_sync()) return false;
    post(out, std::move(member.awaiting_sync), std::move(response));
    member.awaiting_sync = nullptr;
    return true;
}

const std::string* classic_group::static_member_id(const std::string& instance_id) const {
    auto it = static_members_.find(instance_id);
    return it == static_members_.end() ? nullptr : &it->second;
}

int16_t classic_group::validate_member(const std::string& member_id,
                                       const std::optional<std::string>& instance_id) const {
    if (instance_id) {
        const std::string* current = static_member_id(*instance_id);
        if (!current) return wire_code(error_code::unknown_member_id);
        if (*current != member_id) return wire_code(error_code::fenced_instance_id);
    }
    if (!has_member(member_id)) return wire_code(error_code::unknown_member_id);
    return wire_code(error_code::none);
}

int32_t classic_group::rebalance_timeout_ms() const {
    int32_t longest = 0;
    for (const auto& [_, m] : members_) longest = std::max(longest, m.rebalance_timeout_ms);
    return longest;
}

bool classic_group::maybe_elect_new_joined_leader() {
    if (!leader_) return false;
    const classic_member* current = member(*leader_);
    if (current && current->is_awaiting_join()) return true;
    for (const auto& [id, m] : members_) {
        if (m.is_awaiting_join()) {
            leader_ = id;
            return true;
        }
    }
    return false;
}

bool classic_group::supports_protocols(const std::string& protocol_type,
                                       const std::vector<member_protocol>& protocols) const {
    if (is(group_state::empty)) return !protocol_type.empty() && !protocols.empty();
    if (protocol_type_ != protocol_type) return false;
    return std::any_of(protocols.begin(), protocols.end(), [&](const member_protocol& p) {
        auto it = supported_protocols_.find(p.name);
        return it != supported_protocols_.end() && it->second == members_.size();
    });
}

std::string classic_group::select_protocol() const {
    std::set<std::string> candidates;
    for (const auto& [name, n] : supported_protocols_) {
        if (n == members_.size()) candidates.insert(name);
    }
    // Each member votes for the first protocol in its own order that all members support.
    std::map<std::string, size_t> votes;
    for (const auto& [_, m] : members_) {
        for (const auto& p : m.protocols) {
            if (candidates.count(p.name)) {
                ++votes[p.name];
                break;
            }
        }
    }
    std::string chosen;
    size_t most = 0;
    for (const auto& [name, n] : votes) {
        if (n > most) {
            most = n;
            chosen = name;
        }
    }
    return chosen;
}

bool classic_group::can_rebalance() const {
    return is(group_state::stable) || is(group_state::completing_rebalance) ||
           is(group_state::empty);
}

void classic_group::transition_to(group_state state, int64_t now_ms) {
    previous_state_ = state_;
    state_ = state;
    state_timestamp_ms_ = now_ms;
}

void classic_group::init_next_generation(int64_t now_ms) {
    ++generation_;
    if (!members_.empty()) {
        protocol_name_ = select_protocol();
        compute_subscribed_topics();
        transition_to(group_state::completing_rebalance, now_ms);
    } else {
        protocol_name_.reset();
        compute_subscribed_topics();
        transition_to(group_state::empty, now_ms);
    }
    pending_sync_.clear();
}

void classic_group::compute_subscribed_topics() {
    subscribed_.reset();
    if (!uses_consumer_protocol()) return;
    std::set<std::string> topics;
    if (!members_.empty()) {
        if (!protocol_name_) return;
        for (const auto& [_, m] : members_) {
            const auto* metadata = m.metadata(*protocol_name_);
            // Kafka logs and forgets the subscriptions when one cannot be read.
            if (!metadata || !add_subscribed_topics(*metadata, topics)) return;
        }
    }
    subscribed_ = std::move(topics);
}

bool classic_group::is_subscribed_to_topic(const std::string& topic) const {
    if (subscribed_) return subscribed_->count(topic) != 0;
    return uses_consumer_protocol();
}

std::vector<msg::join_group_response::join_group_response_member> classic_group::join_members()
    const {
    std::vector<msg::join_group_response::join_group_response_member> out;
    out.reserve(members_.size());
    for (const auto& [id, m] : members_) {
        auto& jm = out.emplace_back();
        jm.member_id = id;
        jm.group_instance_id = m.group_instance_id;
        if (const auto* metadata = m.metadata(protocol_name_.value_or(""))) jm.metadata = *metadata;
    }
    return out;
}

msg::group_metadata_value classic_group::to_record(
    const std::map<std::string, std::vector<uint8_t>>& assignments) const {
    msg::group_metadata_value v;
    v.protocol_type = protocol_type_.value_or("");
    v.generation = generation_;
    v.protocol = protocol_name_;
    v.leader = leader_;
    v.current_state_timestamp = state_timestamp_ms_.value_or(-1);
    for (const auto& [id, m] : members_) {
        auto& mm = v.members.emplace_back();
        mm.member_id = id;
        mm.group_instance_id = m.group_instance_id;
        mm.client_id = m.client_id;
        mm.client_host = m.client_host;
        mm.rebalance_timeout = m.rebalance_timeout_ms;
        mm.session_timeout = m.session_timeout_ms;
        if (const auto* metadata = m.metadata(protocol_name_.value_or(""))) {
            mm.subscription = *metadata;
        }
        if (auto it = assignments.find(id); it != assignments.end()) mm.assignment = it->second;
    }
    return v;
}

classic_group classic_group::from_record(const std::string& id, const msg::group_metadata_value& v) {
    classic_group g(id, v.members.empty() ? group_state::empty : group_state::stable,
                    v.current_state_timestamp == -1 ? std::nullopt
                                                    : std::optional(v.current_state_timestamp));
    g.generation_ = v.generation;
    if (!v.protocol_type.empty()) g.protocol_type_ = v.protocol_type;
    g.protocol_name_ = v.protocol;
    g.leader_ = v.leader;
    for (const auto& mm : v.members) {
        classic_member m;
        m.member_id = mm.member_id;
        m.group_instance_id = mm.group_instance_id;
        m.client_id = mm.client_id;
        m.client_host = mm.client_host;
        // Values before v1 have no rebalance timeout; Kafka takes the session timeout.
        m.rebalance_timeout_ms = mm.rebalance_timeout == -1 ? mm.session_timeout
                                                            : mm.rebalance_timeout;
        m.session_timeout_ms = mm.session_timeout;
        m.protocol_type = v.protocol_type;
        m.protocols.push_back({v.protocol.value_or(""), mm.subscription});
        m.assignment = mm.assignment;
        g.add(std::move(m));
    }
    g.compute_subscribed_topics();
    return g;
}

msg::describe_groups_response::described_group classic_group::describe() const {
    msg::describe_groups_response::described_group d;
    d.group_id = id_;
    d.group_state = std::string(state_name(state_));
    d.protocol_type = protocol_type_.value_or("");
    // Member metadata only goes out once the group is Stable, as in Kafka.
    const bool stable = is(group_state::stable);
    if (stable) d.protocol_data = protocol_name_.value_or("");
    for (const auto& [id, m] : members_) {
        auto& dm = d.members.emplace_back();
        dm.member_id = id;
        dm.group_instance_id = m.group_instance_id;
        dm.client_id = m.client_id;
        dm.client_host = m.client_host;
        if (stable) {
            if (const auto* metadata = m.metadata(protocol_name_.value_or(""))) {
                dm.member_metadata = *metadata;
            }
        }
        dm.member_assignment = m.assignment;
    }
    return d;
}

}  // namespace eddy::group
