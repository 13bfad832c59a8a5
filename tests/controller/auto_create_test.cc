// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

TEST_SUITE("controller.auto_create") {
    TEST_CASE("an unknown topic is created with num.partitions and default.replication.factor") {
        cluster k({{"num.partitions", "3"}});
        std::vector<std::string> names = {"fresh"};
        auto r = k.c.auto_create_topics(names, true, 0);
        REQUIRE(r.response.size() == 1);
        CHECK(r.response[0].created);
        // Kafka's KRaft broker answers the Metadata request before the topic exists.
        CHECK(r.response[0].error_code == code(error_code::unknown_topic_or_partition));
        k.commit(r.records);
        REQUIRE(k.image().topic("fresh") != nullptr);
        CHECK(k.image().topic("fresh")->partitions.size() == 3);
    }

    TEST_CASE("nothing is created when the request or the broker forbids it") {
        cluster off({{"auto.create.topics.enable", "false"}});
        std::vector<std::string> names = {"fresh"};
        auto r = off.c.auto_create_topics(names, true, 0);
        CHECK(r.records.empty());
        CHECK_FALSE(r.response[0].created);
        CHECK(r.response[0].error_code == code(error_code::unknown_topic_or_partition));
        cluster on;
        auto no = on.c.auto_create_topics(names, false, 0);
        CHECK(no.records.empty());
    }

    TEST_CASE("an invalid name is INVALID_TOPIC_EXCEPTION whether or not creation is allowed") {
        cluster k;
        std::vector<std::string> names = {"bad name"};
        CHECK(k.c.auto_create_topics(names, true, 0).response[0].error_code ==
              code(error_code::invalid_topic_exception));
        CHECK(k.c.auto_create_topics(names, false, 0).response[0].error_code ==
              code(error_code::invalid_topic_exception));
    }

    TEST_CASE("__cluster_metadata is never created, as Kafka's controller refuses it") {
        cluster k;
        std::vector<std::string> names = {"__cluster_metadata"};
        auto r = k.c.auto_create_topics(names, true, 0);
        REQUIRE(r.response.size() == 1);
        CHECK_FALSE(r.response[0].created);
        CHECK(r.records.empty());
        CHECK(r.response[0].error_code == code(error_code::unknown_topic_or_partition));
    }

    TEST_CASE("existing topics are left alone") {
        cluster k;
        create_and_commit(k, {topic("there")});
        std::vector<std::string> names = {"there"};
        auto r = k.c.auto_create_topics(names, true, 0);
        CHECK(r.response.empty());
        CHECK(r.records.empty());
    }

    TEST_CASE("__consumer_offsets gets the offsets topic's partitions, factor and compacted configs") {
        cluster k({{"offsets.topic.replication.factor", "1"}, {"offsets.topic.num.partitions", "5"}});
        std::vector<std::string> names = {"__consumer_offsets"};
        auto r = k.c.auto_create_topics(names, true, 0);
        REQUIRE(r.response[0].created);
        k.commit(r.records);
        CHECK(k.image().topic("__consumer_offsets")->partitions.size() == 5);
        const auto& configs = k.image().configs(metadata::resource_type::topic, "__consumer_offsets");
        CHECK(configs.at("cleanup.policy") == "compact");
        CHECK(configs.at("segment.bytes") == "104857600");
        CHECK(configs.at("compression.type") == "producer");
    }

    TEST_CASE("__transaction_state with the default replication factor 3 cannot be placed on one broker") {
        cluster k;
        std::vector<std::string> names = {"__transaction_state"};
        auto r = k.c.auto_create_topics(names, true, 0);
        CHECK_FALSE(r.response[0].created);
        CHECK(r.records.empty());
        CHECK(r.response[0].error_code == code(error_code::unknown_topic_or_partition));
    }
}
