// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The "range" assignor, as Kafka 3.9's server-side RangeAssignor behaves: each topic is cut
// into contiguous ranges over its subscribers, the first (partitions % subscribers) of them
// taking one extra. Subscribers are ordered the same way for every topic (static members
// first by instance id, then dynamic members by member id), so topics with equal partition
// counts and subscribers land co-partitioned: a member gets the same partition numbers of
// each. The current assignment plays no part; static members keep theirs through restarts
// because their instance id, not their member id, places them.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "group/assignor.h"

namespace eddy::group {
namespace {

using member_entry = std::pair<const std::string, assignor_member>;

// Static members first, by instance id; then the others, by member id. Kafka compares
// instance ids alone; the member id breaks a (never expected) tie so replicas still agree.
bool range_order(const member_entry* a, const member_entry* b) {
    const auto& ia = a->second.instance_id;
    const auto& ib = b->second.instance_id;
    if (ia.has_value() != ib.has_value()) return ia.has_value();
    if (ia.has_value() && *ia != *ib) return *ia < *ib;
    return a->first < b->first;
}

class range final : public partition_assignor {
public:
    std::string_view name() const override { return "range"; }
    target_assignment assign(const assignment_spec& spec) const override {
        target_assignment out;
        std::vector<const member_entry*> order;
        for (const auto& entry : spec.members) {
            out[entry.first];
            order.push_back(&entry);
        }
        std::sort(order.begin(), order.end(), range_order);

        std::map<codec::uuid, std::vector<const std::string*>, topic_id_less> subscribers;
        for (const member_entry* m : order) {
            for (const auto& t : m->second.subscribed_topic_ids) {
                if (spec.topics.count(t) != 0) subscribers[t].push_back(&m->first);
            }
        }

        for (const auto& [topic, members] : subscribers) {
            const int32_t partitions = std::max<int32_t>(0, spec.topics.at(topic).partitions);
            const auto count = static_cast<int32_t>(members.size());
            const int32_t quota = partitions / count;
            const int32_t extra = partitions % count;
            int32_t next = 0;
            for (int32_t i = 0; i < count; ++i) {
                const int32_t end = next + quota + (i < extra ? 1 : 0);
                if (next == end) continue;  // more subscribers than partitions
                auto& assigned = out[*members[i]][topic];
                for (int32_t p = next; p < end; ++p) assigned.emplace_hint(assigned.end(), p);
                next = end;
            }
        }
        return out;
    }
};

}  // namespace

const partition_assignor& range_assignor() {
    static const range instance;
    return instance;
}

}  // namespace eddy::group
