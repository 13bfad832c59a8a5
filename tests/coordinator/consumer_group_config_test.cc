// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The KIP-848 settings read from server.properties: Kafka's names, defaults and the checks
// Kafka's GroupCoordinatorConfig makes at startup.
#include <doctest/doctest.h>

#include <stdexcept>

#include "group/runtime/runtime_config.h"

using namespace eddy;

namespace {

using props = std::map<std::string, std::string, std::less<>>;

group::runtime_config read(props p) { return group::read_runtime_config(p); }

}  // namespace

TEST_SUITE("coordinator.consumer_group_config") {
    TEST_CASE("consumer groups are on by default, with Kafka's defaults") {
        group::runtime_config c = read({});
        CHECK(c.consumer_protocol_enabled);
        CHECK(c.coordinator.consumer_session_timeout_ms == 45000);
        CHECK(c.coordinator.consumer_heartbeat_interval_ms == 5000);
        CHECK(c.coordinator.consumer_max_size == 2147483647);
        CHECK(c.coordinator.consumer_assignors == std::vector<std::string>{"uniform", "range"});
    }

    TEST_CASE("group.coordinator.rebalance.protocols turns consumer groups off, never classic") {
        CHECK_FALSE(read({{"group.coordinator.rebalance.protocols", "classic"}}).consumer_protocol_enabled);
        CHECK(read({{"group.coordinator.rebalance.protocols", " classic , consumer "}})
                  .consumer_protocol_enabled);
        CHECK_THROWS_AS(read({{"group.coordinator.rebalance.protocols", "consumer"}}),
                        std::runtime_error);
        CHECK_THROWS_AS(read({{"group.coordinator.rebalance.protocols", "classic,streams"}}),
                        std::runtime_error);
    }

    TEST_CASE("group.consumer.assignors takes Kafka's names and class names; the first is the default") {
        props p{{"group.consumer.assignors",
                 "org.apache.kafka.coordinator.group.assignor.RangeAssignor,uniform"}};
        CHECK(read(p).coordinator.consumer_assignors == std::vector<std::string>{"range", "uniform"});
        CHECK_THROWS_AS(read({{"group.consumer.assignors", "sticky"}}), std::runtime_error);
        CHECK_THROWS_AS(read({{"group.consumer.assignors", "range,range"}}), std::runtime_error);
        CHECK_THROWS_AS(read({{"group.consumer.assignors", ""}}), std::runtime_error);
    }

    TEST_CASE("session timeout and heartbeat interval must lie within their min and max") {
        props p{{"group.consumer.session.timeout.ms", "50000"},
                {"group.consumer.heartbeat.interval.ms", "6000"},
                {"group.consumer.max.size", "10"}};
        group::runtime_config c = read(p);
        CHECK(c.coordinator.consumer_session_timeout_ms == 50000);
        CHECK(c.coordinator.consumer_heartbeat_interval_ms == 6000);
        CHECK(c.coordinator.consumer_max_size == 10);
        // Below the default minimum (45000), unless the minimum is lowered too.
        CHECK_THROWS_AS(read({{"group.consumer.session.timeout.ms", "10000"}}), std::runtime_error);
        CHECK(read({{"group.consumer.session.timeout.ms", "10000"},
                    {"group.consumer.min.session.timeout.ms", "6000"}})
                  .coordinator.consumer_session_timeout_ms == 10000);
        CHECK_THROWS_AS(read({{"group.consumer.heartbeat.interval.ms", "20000"}}), std::runtime_error);
        CHECK_THROWS_AS(read({{"group.consumer.min.heartbeat.interval.ms", "9000"},
                              {"group.consumer.max.heartbeat.interval.ms", "8000"}}),
                        std::runtime_error);
        CHECK_THROWS_AS(read({{"group.consumer.max.size", "0"}}), std::runtime_error);
    }
}
