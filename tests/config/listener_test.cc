// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "config/config_error.h"
#include "config/listener.h"

using eddy::config::config_error;
using eddy::config::parse_listener;
using eddy::config::parse_listeners;

TEST_SUITE("config.listener") {
    TEST_CASE("a listener has a name, a host and a port") {
        auto l = parse_listener("PLAINTEXT://localhost:9092");
        CHECK(l.name == "PLAINTEXT");
        CHECK(l.host == "localhost");
        CHECK(l.port == 9092);
        CHECK(l.to_string() == "PLAINTEXT://localhost:9092");
    }

    TEST_CASE("an empty host means every interface") {
        auto l = parse_listener("PLAINTEXT://:9092");
        CHECK(l.host.empty());
        CHECK(l.port == 9092);
    }

    TEST_CASE("IPv6 hosts are written in brackets") {
        auto l = parse_listener("PLAINTEXT://[::1]:9093");
        CHECK(l.host == "::1");
        CHECK(l.port == 9093);
        CHECK(l.to_string() == "PLAINTEXT://[::1]:9093");
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://::1:9093"), config_error);
    }

    TEST_CASE("port 0 is allowed and means any free port") {
        CHECK(parse_listener("PLAINTEXT://127.0.0.1:0").port == 0);
    }

    TEST_CASE("malformed listeners are rejected") {
        CHECK_THROWS_AS(parse_listener("localhost:9092"), config_error);
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://localhost"), config_error);
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://localhost:"), config_error);
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://localhost:65536"), config_error);
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://localhost:-1"), config_error);
        CHECK_THROWS_AS(parse_listener("PLAINTEXT://local host:1"), config_error);
        CHECK_THROWS_AS(parse_listener("://h:1"), config_error);
    }

    TEST_CASE("a list is comma separated and names must be unique") {
        auto ls = parse_listeners(" PLAINTEXT://:9092 , INTERNAL://127.0.0.1:9093");
        REQUIRE(ls.size() == 2);
        CHECK(ls[1].name == "INTERNAL");
        CHECK(ls[1].port == 9093);
        CHECK_THROWS_AS(parse_listeners("PLAINTEXT://:1,PLAINTEXT://:2"), config_error);
    }
}
