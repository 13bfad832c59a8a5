// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <ostream>
#include <set>
#include <string>
#include <system_error>

#include "eddy/error_code.h"

using eddy::error_code;

TEST_SUITE("common.error_code") {
    TEST_CASE("wire numbers are Kafka's") {
        CHECK(static_cast<int16_t>(error_code::unknown_server_error) == -1);
        CHECK(static_cast<int16_t>(error_code::none) == 0);
        CHECK(static_cast<int16_t>(error_code::unknown_topic_or_partition) == 3);
        CHECK(static_cast<int16_t>(error_code::not_leader_or_follower) == 6);
        CHECK(static_cast<int16_t>(error_code::unsupported_version) == 35);
        CHECK(static_cast<int16_t>(error_code::invalid_request) == 42);
        CHECK(static_cast<int16_t>(error_code::unknown_topic_id) == 100);
        CHECK(static_cast<int16_t>(error_code::voter_not_found) == 127);
    }

    TEST_CASE("every code from -1 to 127 has a distinct Kafka name") {
        std::set<std::string> names;
        for (int c = -1; c <= 127; ++c) {
            auto code = static_cast<int16_t>(c);
            CHECK(eddy::is_known(code));
            std::string name(eddy::to_string(static_cast<error_code>(code)));
            CHECK(name != "UNKNOWN_ERROR_CODE");
            CHECK(names.insert(name).second);
        }
        CHECK(eddy::to_string(error_code::unknown_topic_or_partition) == "UNKNOWN_TOPIC_OR_PARTITION");
        CHECK(eddy::to_string(error_code::none) == "NONE");
    }

    TEST_CASE("numbers Kafka does not define are reported as unknown") {
        CHECK_FALSE(eddy::is_known(128));
        CHECK_FALSE(eddy::is_known(-2));
        CHECK(eddy::to_string(static_cast<error_code>(500)) == "UNKNOWN_ERROR_CODE");
        CHECK_FALSE(eddy::is_retriable(static_cast<error_code>(500)));
    }

    TEST_CASE("retriable codes match Kafka's RetriableException subclasses") {
        CHECK(eddy::is_retriable(error_code::unknown_topic_or_partition));
        CHECK(eddy::is_retriable(error_code::leader_not_available));
        CHECK(eddy::is_retriable(error_code::not_leader_or_follower));
        CHECK(eddy::is_retriable(error_code::request_timed_out));
        CHECK(eddy::is_retriable(error_code::not_coordinator));
        CHECK(eddy::is_retriable(error_code::corrupt_message));
        CHECK(eddy::is_retriable(error_code::unknown_topic_id));
        CHECK_FALSE(eddy::is_retriable(error_code::none));
        CHECK_FALSE(eddy::is_retriable(error_code::offset_out_of_range));
        CHECK_FALSE(eddy::is_retriable(error_code::unsupported_version));
        CHECK_FALSE(eddy::is_retriable(error_code::invalid_request));
        CHECK_FALSE(eddy::is_retriable(error_code::topic_authorization_failed));
    }

    TEST_CASE("error codes convert to std::error_code in the kafka category") {
        std::error_code ec = error_code::unknown_topic_or_partition;
        CHECK(ec.value() == 3);
        CHECK(std::string(ec.category().name()) == "kafka");
        CHECK(ec.message() == "UNKNOWN_TOPIC_OR_PARTITION");
        CHECK((ec == error_code::unknown_topic_or_partition));
        std::error_code ok = error_code::none;
        CHECK_FALSE(static_cast<bool>(ok));
    }
}
