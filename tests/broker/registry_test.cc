// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "broker/handlers/registry.h"
#include "eddy/msg/registry.h"

using namespace eddy;

TEST_SUITE("broker.registry") {
    TEST_CASE("every handler's versions lie inside the schema's validVersions") {
        for (const broker::api_support& api : broker::supported_apis) {
            CAPTURE(api.key);
            const msg::api_entry* schema = msg::find_api(api.key);
            REQUIRE(schema != nullptr);
            CHECK(api.supported.min <= api.supported.max);
            CHECK(api.supported.min >= schema->min_version);
            CHECK(api.supported.max <= schema->max_version);
        }
    }

    TEST_CASE("no handler serves a version Kafka marks unstable") {
        for (const broker::api_support& api : broker::supported_apis) {
            CAPTURE(api.key);
            const msg::api_entry* schema = msg::find_api(api.key);
            REQUIRE(schema != nullptr);
            if (schema->latest_version_unstable) CHECK(api.supported.max < schema->max_version);
        }
    }

    TEST_CASE("ApiVersions lists exactly the registered handlers, in key order") {
        broker::request_context ctx;
        ctx.api_version = 3;
        msg::api_versions_request req;
        req.client_software_name = "test";
        req.client_software_version = "1.0";
        auto resp = broker::api_versions_handler::handle(ctx, std::move(req));
        REQUIRE(resp.api_keys.size() == broker::supported_apis.size());
        for (size_t i = 0; i < resp.api_keys.size(); ++i) {
            CHECK(resp.api_keys[i].api_key == broker::supported_apis[i].key);
            CHECK(resp.api_keys[i].min_version == broker::supported_apis[i].supported.min);
            CHECK(resp.api_keys[i].max_version == broker::supported_apis[i].supported.max);
        }
    }

    TEST_CASE("Metadata 0-12 and ApiVersions 0-4 are served") {
        const broker::api_support* metadata = broker::find_supported(3);
        REQUIRE(metadata != nullptr);
        CHECK(metadata->supported.min == 0);
        CHECK(metadata->supported.max == 12);
        const broker::api_support* api_versions = broker::find_supported(18);
        REQUIRE(api_versions != nullptr);
        CHECK(api_versions->supported.max == 4);
        CHECK(broker::find_supported(4) == nullptr);  // LeaderAndIsr: ZooKeeper-era, never served
    }
}
