// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The "uniform" assignor, as Kafka 3.9's UniformAssignor behaves: balance first, stickiness
// second. Homogeneous groups (every member subscribes to the same topics) get exact quotas;
// heterogeneous groups keep what they hold, hand out the rest to the least loaded
// subscriber and then move partitions until no single move improves balance. No rack
// awareness: Kafka 3.9's uniform assignor has none either.
#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "group/assignor.h"

namespace eddy::group {
namespace {

constexpr int no_owner = -1;

// The group in index form: members numbered in member-id order and topics in topic-id order,
// so every tie below breaks the same way on every replica, and owners live in flat arrays.
struct group_model {
    std::vector<const std::string*> member_ids;
    std::vector<const assignor_member*> members;
    std::vector<codec::uuid> topic_ids;  // only topics some member subscribes to
    std::vector<int32_t> partition_counts;
    std::vector<std::vector<int>> member_topics;  // topic indices, ascending
    std::vector<std::vector<int>> subscribers;    // member indices, ascending
    std::vector<std::vector<int>> owner;          // [topic][partition] -> member or no_owner
    std::vector<int64_t> sizes;                   // partitions per member in the new assignment

    int topic_index(const codec::uuid& id) const {
        auto it = std::lower_bound(topic_ids.begin(), topic_ids.end(), id, topic_id_less{});
        return it != topic_ids.end() && *it == id ? static_cast<int>(it - topic_ids.begin()) : -1;
    }
    bool subscribes(int member, int topic) const {
        return std::binary_search(member_topics[member].begin(), member_topics[member].end(),
                                  topic);
    }
    bool homogeneous() const {
        return std::all_of(member_topics.begin(), member_topics.end(),
                           [&](const auto& t) { return t == member_topics.front(); });
    }
};

group_model build_model(const assignment_spec& spec) {
    group_model g;
    std::set<codec::uuid, topic_id_less> wanted;
    for (const auto& [id, member] : spec.members) {
        g.member_ids.push_back(&id);
        g.members.push_back(&member);
        for (const auto& t : member.subscribed_topic_ids) {
            if (spec.topics.count(t) != 0) wanted.insert(t);
        }
    }
    for (const auto& t : wanted) {
        g.topic_ids.push_back(t);
        g.partition_counts.push_back(std::max<int32_t>(0, spec.topics.at(t).partitions));
        g.owner.emplace_back(g.partition_counts.back(), no_owner);
    }
    g.subscribers.resize(g.topic_ids.size());
    g.member_topics.resize(g.members.size());
    g.sizes.assign(g.members.size(), 0);
    for (size_t m = 0; m < g.members.size(); ++m) {
        for (const auto& t : g.members[m]->subscribed_topic_ids) {
            const int ti = g.topic_index(t);
            if (ti < 0) continue;
            g.member_topics[m].push_back(ti);  // ascending: both sets share the order
            g.subscribers[ti].push_back(static_cast<int>(m));
        }
    }
    return g;
}

// Gives each member the partitions of its current assignment that it may keep: the topic
// still exists, the member still subscribes to it, the partition exists and nobody earlier
// in member order claimed it (a target assignment never has two owners; this guards the
// assignor against a corrupted one). Calls keep(member, topic, partition) for each.
template <typename Keep>
void claim_current(group_model& g, Keep&& keep) {
    for (size_t m = 0; m < g.members.size(); ++m) {
        for (const auto& [tid, partitions] : g.members[m]->current_assignment) {
            const int t = g.topic_index(tid);
            if (t < 0 || !g.subscribes(static_cast<int>(m), t)) continue;
            for (int32_t p : partitions) {
                if (p < 0 || p >= g.partition_counts[t] || g.owner[t][p] != no_owner) continue;
                g.owner[t][p] = static_cast<int>(m);
                ++g.sizes[m];
                keep(static_cast<int>(m), t, p);
            }
        }
    }
}

// Every member subscribes to every topic of the model. Each member's quota is
// total / members, and total % members of them get one more: the extra slots go first to
// members that already hold more than the minimum (Kafka hands them out in its map's
// iteration order; preferring current holders moves fewer partitions). A member keeps its
// lowest partitions up to its quota; the rest, with the unowned ones, fill the members
// below quota in member order.
void assign_homogeneous(group_model& g) {
    const int64_t members = static_cast<int64_t>(g.members.size());
    int64_t total = 0;
    for (int32_t n : g.partition_counts) total += n;
    const int64_t min_quota = total / members;
    int64_t extra = total % members;

    std::vector<std::vector<std::pair<int, int32_t>>> kept(g.members.size());
    claim_current(g, [&](int m, int t, int32_t p) { kept[m].emplace_back(t, p); });

    std::vector<int64_t> quota(g.members.size(), min_quota);
    for (size_t m = 0; m < quota.size() && extra > 0; ++m) {
        if (g.sizes[m] > min_quota) ++quota[m], --extra;
    }
    for (size_t m = 0; m < quota.size() && extra > 0; ++m) {
        if (quota[m] == min_quota) ++quota[m], --extra;
    }
    for (size_t m = 0; m < kept.size(); ++m) {
        // kept[m] is in topic then partition order (the maps' order): give back the highest.
        while (g.sizes[m] > quota[m]) {
            const auto [t, p] = kept[m].back();
            kept[m].pop_back();
            g.owner[t][p] = no_owner;
            --g.sizes[m];
        }
    }

    size_t member = 0;
    for (size_t t = 0; t < g.owner.size(); ++t) {
        for (auto& owner : g.owner[t]) {
            if (owner != no_owner) continue;
            while (g.sizes[member] >= quota[member]) ++member;  // quotas sum to total
            owner = static_cast<int>(member);
            ++g.sizes[member];
        }
    }
}

// Kafka's topic order for handing out and balancing: most partitions per subscriber first
// (the hardest to spread), then fewer subscribers, then topic id.
std::vector<int> balancing_order(const group_model& g) {
    std::vector<int> order;
    for (size_t t = 0; t < g.topic_ids.size(); ++t) order.push_back(static_cast<int>(t));
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const int64_t pa = g.partition_counts[a], pb = g.partition_counts[b];
        const int64_t sa = static_cast<int64_t>(g.subscribers[a].size());
        const int64_t sb = static_cast<int64_t>(g.subscribers[b].size());
        if (pa * sb != pb * sa) return pa * sb > pb * sa;
        if (sa != sb) return sa < sb;
        return a < b;
    });
    return order;
}

// Members by (partitions held, member index): begin() is the least loaded.
using load_set = std::set<std::pair<int64_t, int>>;

// Moves partitions of topic t from its most loaded holders to its least loaded subscribers
// until they differ by at most one. When a holder gives one up, it prefers a partition the
// receiver held before (restoring stickiness), then one the giver did not hold before
// (moving it again costs nothing), then its highest. Returns how many moved.
int balance_topic(group_model& g, int t, const std::vector<std::vector<int>>& previous) {
    const auto& subs = g.subscribers[t];
    auto local = [&](int member) {
        return static_cast<int>(std::lower_bound(subs.begin(), subs.end(), member) - subs.begin());
    };
    std::vector<std::vector<int32_t>> held(subs.size());  // ascending partitions per subscriber
    // How many of held[i] subs[i] did not hold before: without any, the giver's choice is
    // simply its highest partition, found without a scan.
    std::vector<int> foreign(subs.size(), 0);
    for (int32_t p = 0; p < g.partition_counts[t]; ++p) {
        const int i = local(g.owner[t][p]);
        held[i].push_back(p);
        if (previous[t][p] != subs[i]) ++foreign[i];
    }

    load_set low;   // every subscriber
    load_set high;  // holders of some partition of t, by (-size, index): begin() gives first
    auto insert = [&](int i) {
        low.emplace(g.sizes[subs[i]], i);
        if (!held[i].empty()) high.emplace(-g.sizes[subs[i]], i);
    };
    auto erase = [&](int i) {
        low.erase({g.sizes[subs[i]], i});
        high.erase({-g.sizes[subs[i]], i});
    };
    for (size_t i = 0; i < subs.size(); ++i) insert(static_cast<int>(i));

    int moved = 0;
    while (!high.empty()) {
        const int giver = high.begin()->second;
        const int taker = low.begin()->second;
        if (g.sizes[subs[giver]] - g.sizes[subs[taker]] <= 1) break;

        auto& from = held[giver];
        size_t pick = from.size() - 1;
        size_t restoring = from.size(), moved_before = from.size();
        for (size_t k = foreign[giver] > 0 ? from.size() : 0; k-- > 0;) {
            const int before = previous[t][from[k]];
            if (before == subs[taker]) {
                restoring = k;
                break;
            }
            if (before != subs[giver] && moved_before == from.size()) moved_before = k;
        }
        if (restoring != from.size()) {
            pick = restoring;
        } else if (moved_before != from.size()) {
            pick = moved_before;
        }
        const int32_t p = from[pick];
        if (previous[t][p] != subs[giver]) --foreign[giver];
        if (previous[t][p] != subs[taker]) ++foreign[taker];

        erase(giver);
        erase(taker);
        from.erase(from.begin() + static_cast<std::ptrdiff_t>(pick));
        auto& to = held[taker];
        to.insert(std::lower_bound(to.begin(), to.end(), p), p);
        g.owner[t][p] = subs[taker];
        --g.sizes[subs[giver]];
        ++g.sizes[subs[taker]];
        insert(giver);
        insert(taker);
        ++moved;
    }
    return moved;
}

// Members subscribe to different topics. Three stages, as in Kafka: keep every current
// partition of a still-subscribed topic; hand each unowned partition to the least loaded
// subscriber of its topic; then rebalance topic by topic until a whole pass moves nothing.
// Each move lowers the sum of squared member sizes, so the passes end; the result is
// balanced in Kafka's sense: no partition can move to a subscriber holding at least two
// fewer partitions than its owner.
void assign_heterogeneous(group_model& g) {
    claim_current(g, [](int, int, int32_t) {});
    const std::vector<std::vector<int>> previous = g.owner;
    const std::vector<int> order = balancing_order(g);

    for (int t : order) {
        load_set load;
        for (int m : g.subscribers[t]) load.emplace(g.sizes[m], m);
        for (auto& owner : g.owner[t]) {
            if (owner != no_owner) continue;
            const int m = load.begin()->second;
            load.erase(load.begin());
            owner = m;
            load.emplace(++g.sizes[m], m);
        }
    }

    for (bool moved = true; moved;) {
        moved = false;
        for (int t : order) {
            if (g.subscribers[t].size() >= 2 && balance_topic(g, t, previous) > 0) moved = true;
        }
    }
}

target_assignment to_target(const group_model& g) {
    target_assignment out;
    std::vector<topic_partitions*> by_member;
    for (const std::string* id : g.member_ids) by_member.push_back(&out[*id]);
    for (size_t t = 0; t < g.owner.size(); ++t) {
        for (int32_t p = 0; p < g.partition_counts[t]; ++p) {
            const int m = g.owner[t][p];
            if (m == no_owner) continue;
            auto& partitions = (*by_member[m])[g.topic_ids[t]];
            partitions.emplace_hint(partitions.end(), p);
        }
    }
    return out;
}

class uniform final : public partition_assignor {
public:
    std::string_view name() const override { return "uniform"; }
    target_assignment assign(const assignment_spec& spec) const override {
        group_model g = build_model(spec);
        if (!g.members.empty() && !g.topic_ids.empty()) {
            if (g.homogeneous()) {
                assign_homogeneous(g);
            } else {
                assign_heterogeneous(g);
            }
        }
        return to_target(g);
    }
};

}  // namespace

const partition_assignor& uniform_assignor() {
    static const uniform instance;
    return instance;
}

const partition_assignor* find_assignor(std::string_view name) {
    if (name == uniform_assignor().name()) return &uniform_assignor();
    if (name == range_assignor().name()) return &range_assignor();
    return nullptr;
}

}  // namespace eddy::group
