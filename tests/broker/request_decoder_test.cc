// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "broker/request_decoder.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/api_versions_request.h"
#include "kafka_client.h"

using namespace eddy;
using broker::decode_request;
using broker::decode_status;

namespace {
std::vector<uint8_t> metadata_v12() {
    msg::metadata_request req;
    req.topics = std::vector<msg::metadata_request::metadata_request_topic>{{.topic_id = {}, .name = "orders", .unknown_tagged_fields = {}}};
    return test::encode_request(req, 12, 7);
}
}  // namespace

TEST_SUITE("broker.request_decoder") {
    TEST_CASE("a well-formed request decodes") {
        auto f = metadata_v12();
        CHECK(decode_request(f.data(), f.size()) == decode_status::ok);
        msg::api_versions_request av;
        auto g = test::encode_request(av, 0, 1);
        CHECK(decode_request(g.data(), g.size()) == decode_status::ok);
    }

    TEST_CASE("the header is decoded with the version its api and version call for") {
        auto f = metadata_v12();
        msg::request_header h;
        codec::reader body;
        REQUIRE(broker::decode_header(f.data(), f.size(), h, body) == decode_status::ok);
        CHECK(h.request_api_key == 3);
        CHECK(h.request_api_version == 12);
        CHECK(h.correlation_id == 7);
        CHECK(h.client_id == "eddy-test");
        msg::metadata_request req;
        CHECK(req.read(body, 12));
        REQUIRE(req.topics);
        CHECK(req.topics->at(0).name == "orders");
    }

    TEST_CASE("a null client id is read as empty") {
        msg::api_versions_request av;
        auto f = test::encode_request(av, 1, 1, 18, std::nullopt);
        msg::request_header h;
        codec::reader body;
        REQUIRE(broker::decode_header(f.data(), f.size(), h, body) == decode_status::ok);
        CHECK(h.client_id == "");
    }

    TEST_CASE("an api key Kafka does not define is reported as unknown") {
        msg::api_versions_request av;
        auto f = test::encode_request(av, 0, 1, 9999);
        CHECK(decode_request(f.data(), f.size()) == decode_status::unknown_api);
    }

    TEST_CASE("a version outside validVersions is reported as unsupported") {
        msg::api_versions_request av;
        auto f = test::encode_request(av, 5, 1);
        CHECK(decode_request(f.data(), f.size()) == decode_status::unsupported_version);
        msg::metadata_request md;
        auto g = test::encode_request(md, 13, 1);
        CHECK(decode_request(g.data(), g.size()) == decode_status::unsupported_version);
    }

    TEST_CASE("every truncation of a request is malformed, never a crash") {
        auto f = metadata_v12();
        for (size_t cut = 0; cut < f.size(); ++cut) {
            CAPTURE(cut);
            CHECK(decode_request(f.data(), cut) == decode_status::malformed);
        }
    }

    TEST_CASE("a lying array length is malformed") {
        auto f = metadata_v12();
        // The header is 2+2+4+2+9+1 bytes; next comes the compact topics count.
        size_t count_at = 2 + 2 + 4 + 2 + 9 + 1;
        f[count_at] = 0x7f;
        CHECK(decode_request(f.data(), f.size()) == decode_status::malformed);
    }
}
