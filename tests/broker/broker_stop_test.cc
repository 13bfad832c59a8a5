// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Stopping a broker while a request waits on a timer: the request is answered, and the
// stop does not wait out the timer (the network's stop waits for every request; Kafka's
// shutdown waits for neither its delayed fetches nor its delayed joins).
#include <doctest/doctest.h>

#include <thread>

#include "coordinator_calls.h"
#include "eddy/error_code.h"
#include "eddy/msg/describe_groups_request.h"
#include "eddy/msg/describe_groups_response.h"
#include "eddy/msg/join_group_request.h"
#include "eddy/msg/join_group_response.h"
#include "eddy/msg/registry.h"
#include "error_code_value.h"
#include "in_process_broker.h"
#include "kafka_client.h"

using namespace eddy;

namespace {

// The group's state as DescribeGroups (v1) gives it, once its coordinator has loaded.
std::string group_state(test::kafka_client& c, const std::string& group) {
    msg::describe_groups_request req;
    req.groups = {group};
    auto r = test::until_coordinator_ready<msg::describe_groups_response>(
        c, req, 1, [](const auto& b) { return b.groups.at(0).error_code; });
    REQUIRE(r.groups.at(0).error_code == code(error_code::none));
    return r.groups.at(0).group_state;
}

}  // namespace

TEST_SUITE("broker.stop") {
    TEST_CASE("a JoinGroup held by the initial rebalance delay is answered NOT_COORDINATOR at stop") {
        // An hour's delay: only the stop can end this wait.
        test::in_process_broker b("group.initial.rebalance.delay.ms=3600000\n");
        test::kafka_client watcher(b.port);
        test::find_coordinator(watcher, "g", 0);
        REQUIRE(group_state(watcher, "g") == "Dead");  // loaded, no such group yet

        // JoinGroup v3: no MEMBER_ID_REQUIRED round trip, the first join waits at once.
        msg::join_group_request join;
        join.group_id = "g";
        join.session_timeout_ms = 30000;
        join.rebalance_timeout_ms = 60000;
        join.protocol_type = "consumer";
        join.protocols.emplace_back().name = "range";
        test::kafka_client joiner(b.port);
        joiner.send_frame(test::encode_request(join, 3, 7));
        while (group_state(watcher, "g") != "PreparingRebalance") std::this_thread::yield();

        std::thread stopper([&] { b.server->stop(); });
        auto frame = joiner.receive_frame();
        stopper.join();
        REQUIRE(frame);
        auto r = test::decode_response<msg::join_group_response>(
            *frame, msg::response_header_version(msg::join_group_request::api_key, 3), 3);
        REQUIRE(r);
        CHECK(r->correlation_id == 7);
        CHECK(r->body.error_code == code(error_code::not_coordinator));
    }
}
