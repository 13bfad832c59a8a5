// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

namespace {

msg::delete_topics_request by_names(std::vector<std::string> names) {
    msg::delete_topics_request r;
    r.topic_names = std::move(names);
    r.timeout_ms = 30000;
    return r;
}

msg::delete_topics_request by_ids(std::vector<codec::uuid> ids) {
    msg::delete_topics_request r;
    for (const auto& id : ids) r.topics.push_back({std::nullopt, id, {}});
    r.timeout_ms = 30000;
    return r;
}

}  // namespace

TEST_SUITE("controller.delete_topics") {
    TEST_CASE("deleting by name writes a RemoveTopicRecord and the topic is gone after replay") {
        cluster k;
        create_and_commit(k, {topic("a", 2), topic("b")});
        const codec::uuid id = k.image().topic("a")->id;
        auto r = k.c.delete_topics(by_names({"a"}), 5, 0);
        REQUIRE(r.records.size() == 1);
        CHECK(std::get<msg::remove_topic_record>(r.records[0].record).topic_id == id);
        REQUIRE(r.response.responses.size() == 1);
        CHECK(r.response.responses[0].name == "a");
        CHECK(r.response.responses[0].topic_id == id);
        CHECK(r.response.responses[0].error_code == 0);
        k.commit(r.records);
        CHECK(k.image().topic("a") == nullptr);
        CHECK(k.image().topic("b") != nullptr);
    }

    TEST_CASE("deleting by id (v6) works, and a topic can then be created again with a new id") {
        cluster k;
        create_and_commit(k, {topic("a")});
        const codec::uuid id = k.image().topic("a")->id;
        auto r = k.c.delete_topics(by_ids({id}), 6, 0);
        REQUIRE(r.response.responses.size() == 1);
        CHECK(r.response.responses[0].name == "a");
        CHECK(r.response.responses[0].error_code == 0);
        k.commit(r.records);
        auto again = create_and_commit(k, {topic("a")});
        CHECK(again.topics[0].error_code == 0);
        CHECK_FALSE(k.image().topic("a")->id == id);
    }

    TEST_CASE("unknown names and ids get Kafka's errors") {
        cluster k;
        codec::uuid missing;
        missing.bytes[5] = 5;
        auto n = k.c.delete_topics(by_names({"nope"}), 5, 0);
        CHECK(n.records.empty());
        CHECK(n.response.responses[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(n.response.responses[0].error_message ==
              "This server does not host this topic-partition.");
        auto i = k.c.delete_topics(by_ids({missing}), 6, 0);
        CHECK(i.response.responses[0].error_code == code(error_code::unknown_topic_id));
        CHECK(i.response.responses[0].error_message == "This server does not host this topic ID.");
    }

    TEST_CASE("duplicates, both or neither of name and id are INVALID_REQUEST") {
        cluster k;
        create_and_commit(k, {topic("a"), topic("b")});
        const codec::uuid a = k.image().topic("a")->id;
        auto dup = k.c.delete_topics(by_names({"a", "a"}), 5, 0);
        CHECK(dup.records.empty());
        REQUIRE(dup.response.responses.size() == 1);
        CHECK(dup.response.responses[0].error_message == "Duplicate topic name.");

        msg::delete_topics_request mixed;
        mixed.topics.push_back({std::string("b"), a, {}});
        mixed.topics.push_back({std::nullopt, codec::uuid{}, {}});
        mixed.topics.push_back({std::nullopt, a, {}});
        mixed.topics.push_back({std::string("a"), codec::uuid{}, {}});
        mixed.timeout_ms = 30000;
        auto r = k.c.delete_topics(mixed, 6, 0);
        CHECK(r.records.empty());
        std::vector<std::string> messages;
        for (const auto& res : r.response.responses) {
            CHECK(res.error_code == code(error_code::invalid_request));
            messages.push_back(res.error_message.value_or(""));
        }
        CHECK(std::count(messages.begin(), messages.end(),
                         "You may not specify both topic name and topic id.") == 1);
        CHECK(std::count(messages.begin(), messages.end(),
                         "Neither topic name nor id were specified.") == 1);
        CHECK(std::count(messages.begin(), messages.end(),
                         "The provided topic name maps to an ID that was already supplied.") == 1);
    }

    TEST_CASE("with delete.topic.enable=false deletion is refused") {
        cluster k({{"delete.topic.enable", "false"}});
        create_and_commit(k, {topic("a")});
        auto v6 = k.c.delete_topics(by_names({"a"}), 6, 0);
        CHECK(v6.records.empty());
        CHECK(v6.response.responses[0].error_code == code(error_code::topic_deletion_disabled));
        auto v2 = k.c.delete_topics(by_names({"a"}), 2, 0);
        CHECK(v2.response.responses[0].error_code == code(error_code::invalid_request));
    }
    TEST_CASE("a timeout of 0 or less times out and deletes nothing, unless nothing is queued") {
        cluster k;
        create_and_commit(k, {topic("a"), topic("b")});
        const codec::uuid b = k.image().topic("b")->id;
        for (int32_t timeout : {0, -1}) {
            auto named = by_names({"a", "never"});
            named.timeout_ms = timeout;
            auto r = k.c.delete_topics(named, 5, 0);
            CHECK(r.records.empty());
            REQUIRE(r.response.responses.size() == 2);
            for (const auto& res : r.response.responses) {
                CHECK(res.error_code == code(error_code::request_timed_out));
                CHECK_FALSE(res.error_message);
            }
            auto by_id = by_ids({b});
            by_id.topics.push_back({std::string("a"), b, {}});  // refused, but times out with the rest
            by_id.timeout_ms = timeout;
            r = k.c.delete_topics(by_id, 6, 0);
            CHECK(r.records.empty());
            REQUIRE(r.response.responses.size() == 2);
            CHECK(r.response.responses[0].topic_id == b);
            CHECK(r.response.responses[1].name == "a");
            for (const auto& res : r.response.responses) CHECK(res.error_code == code(error_code::request_timed_out));
        }
        // Only duplicates: ControllerApis answers them without queueing anything.
        auto dup = by_names({"a", "a"});
        dup.timeout_ms = 0;
        auto r = k.c.delete_topics(dup, 5, 0);
        REQUIRE(r.response.responses.size() == 1);
        CHECK(r.response.responses[0].error_code == code(error_code::invalid_request));
    }
}
