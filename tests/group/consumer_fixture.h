// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Drives KIP-848 consumer groups on a coordinator_shard: a metadata image of topics the test
// edits, ConsumerGroupHeartbeat requests as the consumer sends them, and simulated members
// that do what a consumer does with the assignment it is given.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shard_fixture.h"

namespace eddy::group_test {

using assignment = std::map<std::string, std::set<int32_t>>;  // topic name -> partitions

// A metadata image the test edits between calls.
struct topic_image {
    std::map<std::string, topic_info> topics;

    codec::uuid add(const std::string& name, int32_t partitions) {
        codec::uuid id;
        id.bytes[0] = 0x7e;
        id.bytes[15] = static_cast<uint8_t>(topics.size() + 1);
        topics[name] = {id, name, partitions};
        return id;
    }
    topic_view view() const {
        topic_view v;
        v.by_name = [this](std::string_view name) -> std::optional<topic_info> {
            auto it = topics.find(std::string(name));
            if (it == topics.end()) return std::nullopt;
            return it->second;
        };
        v.by_id = [this](const codec::uuid& id) -> std::optional<topic_info> {
            for (const auto& [_, t] : topics) {
                if (t.id == id) return t;
            }
            return std::nullopt;
        };
        return v;
    }
    std::string name_of(const codec::uuid& id) const {
        for (const auto& [name, t] : topics) {
            if (t.id == id) return name;
        }
        return "?";
    }
};

struct hb_args {
    std::string group = "cg";
    std::string member_id;
    int32_t epoch = 0;
    std::optional<std::string> instance;
    int32_t rebalance_ms = -1;
    std::optional<std::vector<std::string>> topics;
    std::optional<std::string> assignor;
    // Owned partitions by topic name (nullopt: not sent).
    std::optional<assignment> owned;
    std::string client_id = "client";
};

struct consumer_harness : harness {
    explicit consumer_harness(coordinator_config c = {}) : harness(c) {}

    topic_image image;

    msg::consumer_group_heartbeat_response hb(const hb_args& a) {
        msg::consumer_group_heartbeat_request r;
        r.group_id = a.group;
        r.member_id = a.member_id;
        r.member_epoch = a.epoch;
        r.instance_id = a.instance;
        r.rebalance_timeout_ms = a.rebalance_ms;
        r.subscribed_topic_names = a.topics;
        r.server_assignor = a.assignor;
        if (a.owned) {
            r.topic_partitions.emplace();
            for (const auto& [name, parts] : *a.owned) {
                auto& t = r.topic_partitions->emplace_back();
                t.topic_id = image.topics.at(name).id;
                t.partitions.assign(parts.begin(), parts.end());
            }
        }
        auto resp = shard.consumer_group_heartbeat(r, 0, {a.client_id, "/127.0.0.1"}, image.view(), now);
        collect();
        return resp;
    }

    assignment named(const std::vector<msg::consumer_group_heartbeat_response::topic_partitions_data>& tps) const {
        assignment out;
        for (const auto& t : tps) out[image.name_of(t.topic_id)].insert(t.partitions.begin(), t.partitions.end());
        return out;
    }

    msg::consumer_group_describe_response::described_group describe(const std::string& group = "cg") {
        return shard.consumer_group_describe(group, 0, image.view());
    }
};

// A consumer as the protocol expects it to behave: it joins, heartbeats with what it owns,
// and takes the assignment each response gives (revoking what is no longer in it).
struct consumer_client {
    std::string group = "cg";
    std::vector<std::string> topics = {"t"};
    std::optional<std::string> instance;
    std::string client_id = "client";
    std::string id;
    int32_t epoch = 0;
    assignment owned;
    int16_t last_error = 0;
    // When false, the member keeps every partition it was given (it never revokes).
    bool revokes = true;

    msg::consumer_group_heartbeat_response join(consumer_harness& h) {
        hb_args a;
        a.group = group;
        a.member_id = id;
        a.epoch = 0;
        a.instance = instance;
        a.rebalance_ms = 60000;
        a.topics = topics;
        a.owned = assignment{};
        a.client_id = client_id;
        return apply(h, h.hb(a));
    }
    msg::consumer_group_heartbeat_response poll(consumer_harness& h) {
        hb_args a;
        a.group = group;
        a.member_id = id;
        a.epoch = epoch;
        a.instance = instance;
        a.owned = owned;
        a.client_id = client_id;
        return apply(h, h.hb(a));
    }
    msg::consumer_group_heartbeat_response apply(consumer_harness& h,
                                                 msg::consumer_group_heartbeat_response r) {
        last_error = r.error_code;
        if (r.error_code) return r;
        id = r.member_id.value_or(id);
        epoch = r.member_epoch;
        if (r.assignment) {
            auto next = h.named(r.assignment->topic_partitions);
            if (revokes) {
                owned = next;
            } else {
                for (auto& [t, ps] : next) owned[t].insert(ps.begin(), ps.end());
            }
        }
        return r;
    }
};

}  // namespace eddy::group_test
