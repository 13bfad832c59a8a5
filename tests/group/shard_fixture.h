// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Drives a coordinator_shard without a network: simulated time, requests built with
// defaults a consumer would send, replies caught in slots, every record kept.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eddy/error_code.h"
#include "eddy/msg/consumer_protocol_subscription.h"
#include "group/coordinator_shard.h"
#include "group/records.h"
#include "error_code_value.h"

namespace eddy::group_test {

using namespace eddy::group;

// A ConsumerProtocolSubscription (version 1) for the given topics.
inline std::vector<uint8_t> subscription(std::vector<std::string> topics) {
    msg::consumer_protocol_subscription s;
    s.topics = std::move(topics);
    return encode_versioned(1, s);
}

inline std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

struct join_args {
    std::string group = "g";
    std::string member_id;
    std::optional<std::string> instance;
    int16_t version = 9;
    int32_t session_ms = 10000;
    int32_t rebalance_ms = 30000;
    std::string protocol_type = "consumer";
    std::vector<std::pair<std::string, std::vector<uint8_t>>> protocols = {
        {"range", subscription({"t1"})}};
    std::string client_id = "client";
};

template <class Response>
using slot = std::shared_ptr<std::optional<Response>>;

struct harness {
    explicit harness(coordinator_config c = {}) : config(c), shard(c) {}

    coordinator_config config;
    coordinator_shard shard;
    int64_t now = 1'000'000;
    std::vector<coordinator_record> log;  // every record the shard wrote, in order

    void collect() {
        for (auto& r : shard.take_records()) log.push_back(std::move(r));
    }

    // Moves time forward, firing each timer at its own deadline.
    void advance(int64_t ms) {
        const int64_t until = now + ms;
        while (auto d = shard.next_deadline()) {
            if (*d > until) break;
            now = std::max(now, *d);
            shard.on_timer(now);
        }
        now = until;
        collect();
    }

    slot<msg::join_group_response> join(const join_args& a) {
        msg::join_group_request r;
        r.group_id = a.group;
        r.member_id = a.member_id;
        r.group_instance_id = a.instance;
        r.session_timeout_ms = a.session_ms;
        r.rebalance_timeout_ms = a.rebalance_ms;
        r.protocol_type = a.protocol_type;
        for (const auto& [name, metadata] : a.protocols) {
            auto& p = r.protocols.emplace_back();
            p.name = name;
            p.metadata = metadata;
        }
        auto out = std::make_shared<std::optional<msg::join_group_response>>();
        shard.join_group(std::move(r), a.version, {a.client_id, "/127.0.0.1"}, now,
                         [out](msg::join_group_response resp) { *out = std::move(resp); });
        collect();
        return out;
    }

    // A dynamic member's first join: v4+ answers MEMBER_ID_REQUIRED, so join again with
    // the id it gave. Returns the second (parked) join.
    slot<msg::join_group_response> join_new(join_args a) {
        auto first = join(a);
        if (a.version < 4 || a.instance) return first;
        REQUIRE(first->has_value());
        REQUIRE((*first)->error_code == code(error_code::member_id_required));
        a.member_id = (*first)->member_id;
        return join(a);
    }

    slot<msg::sync_group_response> sync(
        const std::string& group, const std::string& member_id, int32_t generation,
        std::vector<std::pair<std::string, std::vector<uint8_t>>> assignments = {},
        std::optional<std::string> instance = {}, int16_t version = 5) {
        msg::sync_group_request r;
        r.group_id = group;
        r.member_id = member_id;
        r.generation_id = generation;
        r.group_instance_id = std::move(instance);
        if (version >= 5) {
            r.protocol_type = "consumer";
            r.protocol_name = "range";
        }
        for (auto& [id, a] : assignments) {
            auto& x = r.assignments.emplace_back();
            x.member_id = id;
            x.assignment = std::move(a);
        }
        auto out = std::make_shared<std::optional<msg::sync_group_response>>();
        shard.sync_group(std::move(r), version, now,
                         [out](msg::sync_group_response resp) { *out = std::move(resp); });
        collect();
        return out;
    }

    int16_t heartbeat(const std::string& group, const std::string& member_id, int32_t generation,
                      std::optional<std::string> instance = {}) {
        msg::heartbeat_request r;
        r.group_id = group;
        r.member_id = member_id;
        r.generation_id = generation;
        r.group_instance_id = std::move(instance);
        auto resp = shard.heartbeat(r, 4, now);
        collect();
        return resp.error_code;
    }

    msg::leave_group_response leave(const std::string& group,
                                    std::vector<std::pair<std::string, std::optional<std::string>>> who,
                                    int16_t version = 5) {
        msg::leave_group_request r;
        r.group_id = group;
        if (version <= 2 && !who.empty()) r.member_id = who.front().first;
        for (auto& [id, instance] : who) {
            auto& m = r.members.emplace_back();
            m.member_id = id;
            m.group_instance_id = instance;
        }
        auto resp = shard.leave_group(r, version, now);
        collect();
        return resp;
    }

    struct commit_args {
        std::string group = "g";
        std::string member_id;
        int32_t generation = -1;
        std::optional<std::string> instance;
        int16_t version = 9;
        int64_t retention_ms = -1;
        std::vector<std::tuple<std::string, int32_t, int64_t>> offsets = {{"t1", 0, 42}};
        std::string metadata = "m";
        int32_t leader_epoch = -1;
    };

    msg::offset_commit_response commit(const commit_args& a) {
        msg::offset_commit_request r;
        r.group_id = a.group;
        r.member_id = a.member_id;
        r.generation_id_or_member_epoch = a.generation;
        r.group_instance_id = a.instance;
        r.retention_time_ms = a.retention_ms;
        for (const auto& [topic, partition, offset] : a.offsets) {
            auto it = std::find_if(r.topics.begin(), r.topics.end(),
                                   [&](const auto& t) { return t.name == topic; });
            if (it == r.topics.end()) {
                it = r.topics.emplace(r.topics.end());
                it->name = topic;
            }
            auto& p = it->partitions.emplace_back();
            p.partition_index = partition;
            p.committed_offset = offset;
            p.committed_metadata = a.metadata;
            p.committed_leader_epoch = a.leader_epoch;
        }
        auto resp = shard.offset_commit(r, a.version, now);
        collect();
        return resp;
    }

    // Every error code of a commit response, in request order.
    static std::vector<int16_t> errors(const msg::offset_commit_response& r) {
        std::vector<int16_t> out;
        for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) out.push_back(p.error_code);
        }
        return out;
    }

    // OffsetFetch of the whole group (null topics) or of the given partitions.
    msg::offset_fetch_response::offset_fetch_response_group fetch(
        const std::string& group,
        std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>> topics = {}) {
        msg::offset_fetch_request::offset_fetch_request_group g;
        g.group_id = group;
        if (!topics) {
            g.topics = std::nullopt;
        } else {
            g.topics.emplace();
            for (auto& [name, parts] : *topics) {
                auto& t = g.topics->emplace_back();
                t.name = name;
                t.partition_indexes = parts;
            }
        }
        return shard.offset_fetch(g, 9, false);
    }

    std::string state(const std::string& group) {
        return shard.describe_group(group, 5).group_state;
    }
};

// The first member of a group joins and is answered once the initial delay has passed.
inline slot<msg::join_group_response> join_alone(harness& h, const join_args& a) {
    auto j = h.join_new(a);
    h.advance(h.config.group_initial_rebalance_delay_ms);
    REQUIRE(j->has_value());
    REQUIRE((*j)->error_code == 0);
    return j;
}

// Three, two or one dynamic members joined and synced: a Stable group.
struct stable_group {
    std::vector<std::string> members;  // the leader first
    int32_t generation = 0;
};

inline stable_group make_stable(harness& h, const std::string& group, size_t n,
                                int32_t session_ms = 10000, int32_t rebalance_ms = 30000) {
    std::vector<slot<msg::join_group_response>> joins;
    for (size_t i = 0; i < n; ++i) {
        join_args a;
        a.group = group;
        a.session_ms = session_ms;
        a.rebalance_ms = rebalance_ms;
        a.client_id = "c" + std::to_string(i);
        joins.push_back(h.join_new(a));
    }
    h.advance(h.config.group_initial_rebalance_delay_ms * int64_t(n + 1));
    stable_group out;
    std::string leader;
    for (auto& j : joins) {
        REQUIRE(j->has_value());
        REQUIRE((*j)->error_code == 0);
        leader = (*j)->leader;
        out.generation = (*j)->generation_id;
    }
    out.members.push_back(leader);
    for (auto& j : joins) {
        if ((*j)->member_id != leader) out.members.push_back((*j)->member_id);
    }
    for (size_t i = 1; i < out.members.size(); ++i) h.sync(group, out.members[i], out.generation);
    std::vector<std::pair<std::string, std::vector<uint8_t>>> assignment;
    for (const auto& m : out.members) assignment.emplace_back(m, bytes("for " + m));
    auto leader_sync = h.sync(group, leader, out.generation, assignment);
    REQUIRE(leader_sync->has_value());
    REQUIRE((*leader_sync)->error_code == 0);
    REQUIRE(h.state(group) == "Stable");
    return out;
}

}  // namespace eddy::group_test
