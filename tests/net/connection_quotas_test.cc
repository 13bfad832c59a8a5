// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/connection_quotas.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace eddy;

namespace {

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }

}  // namespace

TEST_SUITE("net.connection_quotas") {
    TEST_CASE("overrides parse as Kafka's host:count map, split at the last colon") {
        auto m = net::parse_per_ip_overrides(" 127.0.0.1:5 , ::1:7,10.0.0.2:0");
        REQUIRE(m.size() == 3);
        CHECK(m.at(ip("127.0.0.1")) == 5);
        CHECK(m.at(ip("::1")) == 7);
        CHECK(m.at(ip("10.0.0.2")) == 0);
        CHECK(net::parse_per_ip_overrides("").empty());
        CHECK(net::parse_per_ip_overrides("127.0.0.1:5,").size() ==
              1);  // Java's split drops the tail
        CHECK(net::parse_per_ip_overrides("localhost:3").begin()->second == 3);
    }

    TEST_CASE("malformed overrides are refused") {
        for (const char* bad :
             {"127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:-1", ":5",
              "127.0.0.1:5,,10.0.0.1:1", "127.0.0.1:99999999999", "no-such-host.invalid:1"}) {
            CAPTURE(bad);
            CHECK_THROWS_AS(net::parse_per_ip_overrides(bad), std::invalid_argument);
        }
    }

    TEST_CASE("an IPv4 peer of a dual-stack listener counts under its IPv4 address") {
        CHECK(net::plain_address(ip("::ffff:127.0.0.1")) == ip("127.0.0.1"));
        CHECK(net::plain_address(ip("::1")) == ip("::1"));
    }

    TEST_CASE("per-address limits, with overrides, and the broker-wide slot count") {
        net::connection_quotas q;
        q.set_limits({3, 2, {{ip("10.0.0.9"), 0}}});
        int32_t limit = 0;
        CHECK(q.admit(ip("127.0.0.1"), limit));
        CHECK(q.admit(ip("127.0.0.1"), limit));
        CHECK_FALSE(q.admit(ip("127.0.0.1"), limit));  // its third: over max.connections.per.ip
        CHECK(limit == 2);
        CHECK_FALSE(q.admit(ip("10.0.0.9"), limit));  // an override of 0 shuts an address out
        CHECK(limit == 0);
        CHECK(q.total() == 2);
        CHECK(q.slot_available(false));
        CHECK(q.admit(ip("10.0.0.1"), limit));
        CHECK_FALSE(q.slot_available(false));  // max.connections reached
        CHECK(q.slot_available(true));         // the exempt listener still takes connections
        CHECK(q.release(ip("127.0.0.1")));     // was at the limit: a waiting acceptor may go on
        CHECK_FALSE(q.release(ip("127.0.0.1")));
        CHECK(q.count(ip("127.0.0.1")) == 0);
        CHECK_FALSE(q.release(ip("127.0.0.1")));  // never admitted: nothing changes
        CHECK(q.total() == 1);
    }
}
