// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KIP-848 consumer groups on the wire: ConsumerGroupHeartbeat and ConsumerGroupDescribe sent
// as raw requests (the generated codec) to an in-process broker, as a consumer that
// acknowledges every assignment at once would send them.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "eddy/error_code.h"
#include "eddy/msg/api_versions_request.h"
#include "eddy/msg/api_versions_response.h"
#include "eddy/msg/consumer_group_describe_request.h"
#include "eddy/msg/consumer_group_describe_response.h"
#include "eddy/msg/consumer_group_heartbeat_request.h"
#include "eddy/msg/consumer_group_heartbeat_response.h"
#include "eddy/msg/list_groups_request.h"
#include "eddy/msg/list_groups_response.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "kafka_client.h"
#include "rdkafka_broker.h"
#include "error_code_value.h"

using namespace eddy;
using namespace eddy::coordinator_test;

namespace {

using heartbeat_request = msg::consumer_group_heartbeat_request;
using heartbeat_response = msg::consumer_group_heartbeat_response;
using describe_response = msg::consumer_group_describe_response;

// Rounds of heartbeats before a test gives up waiting for the group to settle; each round
// sleeps a little, so a slow machine only makes a round take longer.
constexpr int max_rounds = 300;

void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

// One consumer of the group: what it was assigned last and the epoch it is at.
struct member {
    std::string id;
    int32_t epoch = 0;
    std::set<int32_t> owned;
};

class group_client {
public:
    group_client(uint16_t port, std::string group, std::string topic)
        : client_(port), group_(std::move(group)), topic_(std::move(topic)) {}

    test::kafka_client& raw() { return client_; }

    codec::uuid topic_id() {
        msg::metadata_request req;
        req.topics = std::vector<msg::metadata_request::metadata_request_topic>(1);
        req.topics->front().name = topic_;
        auto resp = client_.call<msg::metadata_response>(req, 12);
        REQUIRE(resp);
        REQUIRE(resp->body.topics.size() == 1);
        REQUIRE(resp->body.topics[0].error_code == 0);
        return resp->body.topics[0].topic_id;
    }

    // One heartbeat of `m` reporting what it owns; keeps the assignment it is given.
    // Retries while the coordinator is still being set up (the first request creates
    // __consumer_offsets).
    heartbeat_response heartbeat(member& m, const codec::uuid& id, int32_t epoch) {
        heartbeat_request req;
        req.group_id = group_;
        req.member_id = m.id;
        req.member_epoch = epoch;
        req.rebalance_timeout_ms = 30000;
        req.subscribed_topic_names = std::vector<std::string>{topic_};
        req.topic_partitions.emplace();
        if (!m.owned.empty())
            req.topic_partitions->push_back({id, {m.owned.begin(), m.owned.end()}, {}});
        for (int attempt = 0;; ++attempt) {
            auto resp = client_.call<heartbeat_response>(req, 0);
            REQUIRE(resp);
            int16_t e = resp->body.error_code;
            bool retriable = e == code(error_code::not_coordinator) ||
                             e == code(error_code::coordinator_load_in_progress) ||
                             e == code(error_code::coordinator_not_available);
            if (!retriable || attempt == max_rounds) return keep(m, id, std::move(resp->body));
            pause();
        }
    }

    // Every member heartbeats until the assignments stop changing and every member is at
    // the same epoch (the group's); returns false when that does not happen.
    bool settle(std::vector<member>& members, const codec::uuid& id) {
        for (int round = 0; round < max_rounds; ++round) {
            bool changed = false;
            std::set<int32_t> epochs;
            for (member& m : members) {
                std::set<int32_t> before = m.owned;
                int32_t epoch_before = m.epoch;
                heartbeat_response r = heartbeat(m, id, m.epoch);
                REQUIRE_MESSAGE(r.error_code == 0, r.error_message.value_or(""));
                changed = changed || m.owned != before || m.epoch != epoch_before;
                epochs.insert(m.epoch);
            }
            if (!changed && epochs.size() == 1) return true;
            pause();
        }
        return false;
    }

    describe_response describe(std::vector<std::string> groups) {
        msg::consumer_group_describe_request req;
        req.group_ids = std::move(groups);
        req.include_authorized_operations = true;
        auto resp = client_.call<describe_response>(req, 0);
        REQUIRE(resp);
        return std::move(resp->body);
    }

private:
    heartbeat_response keep(member& m, const codec::uuid& id, heartbeat_response r) {
        if (r.error_code != 0) return r;
        if (r.member_id) m.id = *r.member_id;
        m.epoch = r.member_epoch;
        if (r.assignment) {
            m.owned.clear();
            for (const auto& tp : r.assignment->topic_partitions) {
                CHECK(tp.topic_id == id);
                m.owned.insert(tp.partitions.begin(), tp.partitions.end());
            }
        }
        return r;
    }

    test::kafka_client client_;
    std::string group_;
    std::string topic_;
};

// Why the members' partitions are not exactly 0..partitions-1 without overlap, or "".
std::string split_problem(const std::vector<member>& members, int32_t partitions) {
    std::map<int32_t, int> holders;
    for (const member& m : members)
        for (int32_t p : m.owned) ++holders[p];
    for (int32_t p = 0; p < partitions; ++p) {
        if (holders[p] == 0) return "partition " + std::to_string(p) + " has no member";
        if (holders[p] > 1) return "partition " + std::to_string(p) + " has two members";
    }
    if (holders.size() != static_cast<size_t>(partitions)) return "a partition that does not exist";
    return "";
}

std::set<int16_t> advertised_keys(test::kafka_client& c) {
    msg::api_versions_request req;
    req.client_software_name = "eddy-test";
    req.client_software_version = "1.0";
    auto resp = c.call<msg::api_versions_response>(req, 3);
    REQUIRE(resp);
    std::set<int16_t> keys;
    for (const auto& k : resp->body.api_keys) keys.insert(k.api_key);
    return keys;
}

}  // namespace

TEST_SUITE("coordinator.consumer_group_protocol") {
    TEST_CASE("three consumers split a topic over ConsumerGroupHeartbeat and a leave moves partitions") {
        test_broker broker;
        const std::string topic = "cgp-topic";
        const std::string group = "cgp-group";
        rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
        create_topic(admin.get(), topic, 6);
        group_client c(broker.port(), group, topic);

        std::set<int16_t> keys = advertised_keys(c.raw());
        CHECK(keys.count(68) == 1);
        CHECK(keys.count(69) == 1);

        const codec::uuid id = c.topic_id();
        std::vector<member> members(3);
        for (member& m : members) {
            heartbeat_response joined = c.heartbeat(m, id, 0);
            REQUIRE_MESSAGE(joined.error_code == 0, joined.error_message.value_or(""));
            CHECK_FALSE(m.id.empty());
            CHECK(m.epoch > 0);
            CHECK(joined.heartbeat_interval_ms == 5000);  // group.consumer.heartbeat.interval.ms
        }
        REQUIRE(c.settle(members, id));
        CHECK(split_problem(members, 6) == "");
        for (const member& m : members) CHECK(m.owned.size() == 2);

        describe_response d = c.describe({group, "", "no-such-group"});
        REQUIRE(d.groups.size() == 3);
        const describe_response::described_group& g = d.groups[0];
        CHECK(g.error_code == 0);
        CHECK(g.group_id == group);
        CHECK(g.group_state == "Stable");
        CHECK(g.group_epoch == members[0].epoch);
        CHECK(g.assignment_epoch == members[0].epoch);
        CHECK(g.members.size() == 3);
        CHECK(g.authorized_operations == ((1 << 3) | (1 << 6) | (1 << 8)));
        for (const auto& dm : g.members) {
            CHECK(dm.client_id == "eddy-test");
            CHECK(dm.client_host == "/127.0.0.1");
            CHECK(dm.subscribed_topic_names == std::vector<std::string>{topic});
            for (const auto& tp : dm.assignment.topic_partitions) CHECK(tp.topic_name == topic);
        }
        CHECK(d.groups[1].error_code == code(error_code::invalid_group_id));
        CHECK(d.groups[2].error_code == code(error_code::group_id_not_found));
        CHECK(d.groups[2].group_id == "no-such-group");

        msg::list_groups_request list;
        auto listed = c.raw().call<msg::list_groups_response>(list, 5);
        REQUIRE(listed);
        bool found = false;
        for (const auto& lg : listed->body.groups) {
            if (lg.group_id != group) continue;
            found = true;
            CHECK(lg.group_type == "consumer");
            CHECK(lg.protocol_type == "consumer");
            CHECK(lg.group_state == "Stable");
        }
        CHECK(found);

        // m3 leaves (epoch -1): m1 and m2 take over its partitions.
        std::set<int32_t> left = members[2].owned;
        heartbeat_response bye = c.heartbeat(members[2], id, -1);
        CHECK(bye.error_code == 0);
        CHECK(bye.member_epoch == -1);
        members.pop_back();
        REQUIRE(c.settle(members, id));
        CHECK(split_problem(members, 6) == "");
        for (const member& m : members) CHECK(m.owned.size() == 3);
        std::set<int32_t> taken;
        for (const member& m : members) taken.insert(m.owned.begin(), m.owned.end());
        for (int32_t p : left) CHECK(taken.count(p) == 1);
        d = c.describe({group});
        REQUIRE(d.groups.size() == 1);
        CHECK(d.groups[0].members.size() == 2);
    }

    TEST_CASE("without \"consumer\" in group.coordinator.rebalance.protocols the apis are off") {
        test_broker broker("group.coordinator.rebalance.protocols=classic\n");
        test::kafka_client c(broker.port());
        std::set<int16_t> keys = advertised_keys(c);
        CHECK(keys.count(68) == 0);
        CHECK(keys.count(69) == 0);
        CHECK(keys.count(11) == 1);  // JoinGroup: the classic protocol stays

        // Kafka answers a client that sends them anyway instead of closing the connection.
        heartbeat_request req;
        req.group_id = "g";
        req.rebalance_timeout_ms = 30000;
        req.subscribed_topic_names = std::vector<std::string>{"t"};
        req.topic_partitions.emplace();
        auto hb = c.call<heartbeat_response>(req, 0);
        REQUIRE(hb);
        CHECK(hb->body.error_code == code(error_code::unsupported_version));
        msg::consumer_group_describe_request dreq;
        dreq.group_ids = {"g"};
        auto d = c.call<describe_response>(dreq, 0);
        REQUIRE(d);
        REQUIRE(d->body.groups.size() == 1);
        CHECK(d->body.groups[0].error_code == code(error_code::unsupported_version));
    }
}
