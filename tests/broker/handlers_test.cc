// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "broker/handlers/api_versions.h"
#include "broker/handlers/metadata.h"
#include "eddy/error_code.h"
#include "error_code_value.h"
#include "metadata_context.h"

using namespace eddy;
using broker::metadata_handler;
using topic = msg::metadata_request::metadata_request_topic;

namespace {

msg::metadata_request named(std::initializer_list<const char*> names) {
    msg::metadata_request req;
    req.topics.emplace();
    for (const char* n : names) req.topics->push_back(topic{.topic_id = {}, .name = n, .unknown_tagged_fields = {}});
    return req;
}

// The handler's answer with no topics in the cluster and no auto-creation.
msg::metadata_response answer(const broker::request_context& ctx, msg::metadata_request req) {
    return metadata_handler::answer(ctx, req, *metadata::metadata_image::empty(), {});
}

}  // namespace

TEST_SUITE("broker.handlers.metadata") {
    TEST_CASE("the broker lists itself with its advertised address and as controller") {
        auto ctx = test::metadata_context(12);
        msg::metadata_request req;
        req.topics = std::nullopt;
        auto resp = answer(ctx, std::move(req));
        REQUIRE(resp.brokers.size() == 1);
        CHECK(resp.brokers[0].node_id == 5);
        CHECK(resp.brokers[0].host == "broker.example");
        CHECK(resp.brokers[0].port == 9092);
        CHECK_FALSE(resp.brokers[0].rack);
        CHECK(resp.cluster_id == "cluster-1");
        CHECK(resp.controller_id == 5);
        CHECK(resp.topics.empty());
    }

    TEST_CASE("a request on a listener the broker does not advertise lists no broker") {
        auto ctx = test::metadata_context(12);
        auto client = std::make_shared<broker::client_info>();
        client->listener_name = "OTHER";
        ctx.client = client;
        auto resp = answer(ctx, named({}));
        CHECK(resp.brokers.empty());
    }

    TEST_CASE("an empty topic list in v0 means all topics, of which there are none") {
        auto ctx = test::metadata_context(0);
        auto resp = answer(ctx, named({}));
        CHECK(resp.topics.empty());
    }

    TEST_CASE("named topics are unknown, once each, with a zero topic id") {
        auto ctx = test::metadata_context(10);
        auto resp = answer(ctx, named({"a", "b", "a"}));
        REQUIRE(resp.topics.size() == 2);
        CHECK(resp.topics[0].name == "a");
        CHECK(resp.topics[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(resp.topics[0].topic_id.is_zero());
        CHECK(resp.topics[0].partitions.empty());
        CHECK(resp.topics[1].name == "b");
    }

    TEST_CASE("an invalid topic name gets INVALID_TOPIC_EXCEPTION and internal topics are marked") {
        auto ctx = test::metadata_context(4);
        auto resp = answer(ctx, named({"bad name!", "__consumer_offsets"}));
        REQUIRE(resp.topics.size() == 2);
        CHECK(resp.topics[0].error_code == code(error_code::invalid_topic_exception));
        CHECK(resp.topics[1].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(resp.topics[1].is_internal);
    }

    TEST_CASE("topics asked by id in v12 are UNKNOWN_TOPIC_ID with a null name") {
        auto ctx = test::metadata_context(12);
        msg::metadata_request req;
        req.topics.emplace();
        topic t;
        t.topic_id.bytes[0] = 1;
        t.name = std::nullopt;
        req.topics->push_back(t);
        auto resp = answer(ctx, std::move(req));
        REQUIRE(resp.topics.size() == 1);
        CHECK(resp.topics[0].error_code == code(error_code::unknown_topic_id));
        CHECK_FALSE(resp.topics[0].name);
        CHECK(resp.topics[0].topic_id.bytes[0] == 1);
    }

    TEST_CASE("a topic id before v12 is an invalid request") {
        auto ctx = test::metadata_context(11);
        msg::metadata_request req = named({"x"});
        req.topics->at(0).topic_id.bytes[3] = 9;
        auto resp = answer(ctx, std::move(req));
        REQUIRE(resp.topics.size() == 1);
        CHECK(resp.topics[0].error_code == code(error_code::invalid_request));
        CHECK(resp.brokers.empty());
    }

    TEST_CASE("authorized operations are reported only when asked for") {
        auto ctx = test::metadata_context(8);
        auto resp = answer(ctx, named({"t"}));
        CHECK(resp.cluster_authorized_operations == INT32_MIN);
        CHECK(resp.topics[0].topic_authorized_operations == INT32_MIN);

        auto req = named({"t"});
        req.include_cluster_authorized_operations = true;
        req.include_topic_authorized_operations = true;
        resp = answer(ctx, std::move(req));
        // No authorizer: every cluster and topic operation Kafka defines.
        CHECK(resp.cluster_authorized_operations == 0x1fa0);
        CHECK(resp.topics[0].topic_authorized_operations == 0xdf8);
    }
}

TEST_SUITE("broker.handlers.api_versions") {
    TEST_CASE("v3 and later reject client software names Kafka would reject") {
        auto ctx = test::metadata_context(3);
        msg::api_versions_request req;
        req.client_software_name = "-bad";
        req.client_software_version = "1.0";
        auto resp = broker::api_versions_handler::handle(ctx, std::move(req));
        CHECK(resp.error_code == code(error_code::invalid_request));
        CHECK(resp.api_keys.empty());
    }

    TEST_CASE("v0-v2 do not look at the software name") {
        auto ctx = test::metadata_context(2);
        auto resp = broker::api_versions_handler::handle(ctx, msg::api_versions_request{});
        CHECK(resp.error_code == 0);
        CHECK_FALSE(resp.api_keys.empty());
    }

    TEST_CASE("metadata.version is advertised as a finalized feature of a 3.9 cluster") {
        auto ctx = test::metadata_context(4);
        msg::api_versions_request req;
        req.client_software_name = "librdkafka";
        req.client_software_version = "2.0.2";
        auto resp = broker::api_versions_handler::handle(ctx, std::move(req));
        REQUIRE(resp.finalized_features.size() == 1);
        CHECK(resp.finalized_features[0].name == "metadata.version");
        CHECK(resp.finalized_features[0].max_version_level == 21);
        CHECK(resp.finalized_features_epoch >= 0);
        // v4 may list features whose minimum is 0; v3 may not.
        REQUIRE(resp.supported_features.size() == 2);
        // The one level Eddy writes, as its broker registration says.
        CHECK(resp.supported_features[0].name == "metadata.version");
        CHECK(resp.supported_features[0].min_version == 21);
        CHECK(resp.supported_features[0].max_version == 21);
        ctx.api_version = 3;
        msg::api_versions_request req3;
        req3.client_software_name = "a";
        req3.client_software_version = "b";
        auto resp3 = broker::api_versions_handler::handle(ctx, std::move(req3));
        REQUIRE(resp3.supported_features.size() == 1);
        CHECK(resp3.supported_features[0].name == "metadata.version");
    }

    TEST_CASE("the unsupported-version reply names only ApiVersions and its range") {
        auto resp = broker::api_versions_handler::unsupported_version_reply();
        CHECK(resp.error_code == code(error_code::unsupported_version));
        REQUIRE(resp.api_keys.size() == 1);
        CHECK(resp.api_keys[0].api_key == 18);
        CHECK(resp.api_keys[0].min_version == 0);
        CHECK(resp.api_keys[0].max_version == 4);
    }
}
