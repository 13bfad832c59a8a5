// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A whole broker in this process, spoken to over loopback with generated messages.
#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>

#include "common/logging.h"
#include "eddy/error_code.h"
#include "eddy/msg/api_versions_request.h"
#include "eddy/msg/api_versions_response.h"
#include "eddy/msg/describe_client_quotas_request.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "in_process_broker.h"
#include "kafka_client.h"
#include "error_code_value.h"

using namespace eddy;

namespace {

using running_broker = test::in_process_broker;

// What the "kafka" logger writes at warn and above while it lives, one line per message.
class kafka_log_capture {
public:
    kafka_log_capture() : logger_(get_logger("kafka")) {
        sink_->set_pattern("%v");
        logger_->sinks().push_back(sink_);
        set_logger_level("kafka", spdlog::level::warn);
    }
    ~kafka_log_capture() {
        unset_logger_level("kafka");
        auto& sinks = logger_->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    kafka_log_capture(const kafka_log_capture&) = delete;
    kafka_log_capture& operator=(const kafka_log_capture&) = delete;

    std::string text() {
        sink_->flush();
        return out_.str();
    }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_ =
        std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

TEST_SUITE("broker.integration") {
    TEST_CASE("ApiVersions is answered in every version with a v0 response header") {
        running_broker b;
        test::kafka_client c(b.port);
        for (int16_t v = 0; v <= 4; ++v) {
            CAPTURE(v);
            auto r = c.call<msg::api_versions_response>(test::api_versions_request(), v);
            REQUIRE(r);
            // The header had no tagged-field byte, or the body would not end exactly.
            CHECK(r->fully_consumed);
            CHECK(r->body.error_code == 0);
            bool metadata = false, api_versions = false;
            for (const auto& k : r->body.api_keys) {
                if (k.api_key == 3) metadata = k.min_version == 0 && k.max_version == 12;
                if (k.api_key == 18) api_versions = k.min_version == 0 && k.max_version == 4;
            }
            CHECK(metadata);
            CHECK(api_versions);
            if (v >= 3) {
                REQUIRE(r->body.finalized_features.size() == 1);
                CHECK(r->body.finalized_features[0].name == "metadata.version");
            }
        }
    }

    TEST_CASE("an ApiVersions version the broker does not know gets Kafka's v0 UNSUPPORTED_VERSION reply") {
        running_broker b;
        test::kafka_client c(b.port);
        // v5 is sent with a flexible (v2) header and a body the broker must not parse.
        auto frame = test::encode_request(test::api_versions_request(), 4, 99);
        frame[3] = 5;
        frame.push_back(0xab);
        c.send_frame(frame);
        auto reply = c.receive_frame();
        REQUIRE(reply);
        auto r = test::decode_response<msg::api_versions_response>(*reply, 0, 0);
        REQUIRE(r);
        CHECK(r->correlation_id == 99);
        CHECK(r->fully_consumed);
        CHECK(r->body.error_code == code(error_code::unsupported_version));
        REQUIRE(r->body.api_keys.size() == 1);
        CHECK(r->body.api_keys[0].api_key == 18);
        CHECK(r->body.api_keys[0].max_version == 4);
        // The connection stays usable: the client retries with a version we know.
        auto retry = c.call<msg::api_versions_response>(test::api_versions_request(), 3);
        REQUIRE(retry);
        CHECK(retry->body.error_code == 0);
    }

    TEST_CASE("ApiVersions v3 with a software name Kafka rejects gets INVALID_REQUEST") {
        running_broker b;
        test::kafka_client c(b.port);
        auto req = test::api_versions_request();
        req.client_software_name = "bad name";
        auto r = c.call<msg::api_versions_response>(req, 3);
        REQUIRE(r);
        CHECK(r->body.error_code == code(error_code::invalid_request));
    }

    TEST_CASE("Metadata lists this broker and reports named topics unknown in every version") {
        // Before v4 Metadata always asks for auto-creation; the broker setting forbids it.
        running_broker b("auto.create.topics.enable=false\n");
        test::kafka_client c(b.port);
        for (int16_t v = 0; v <= 12; ++v) {
            CAPTURE(v);
            msg::metadata_request req;
            req.topics = std::vector<msg::metadata_request::metadata_request_topic>(2);
            req.topics->at(0).name = "orders";
            req.topics->at(1).name = "payments";
            auto r = c.call<msg::metadata_response>(req, v);
            REQUIRE(r);
            CHECK(r->fully_consumed);
            REQUIRE(r->body.brokers.size() == 1);
            CHECK(r->body.brokers[0].node_id == 1);
            CHECK(r->body.brokers[0].host == "127.0.0.1");
            CHECK(r->body.brokers[0].port == b.port);
            if (v >= 1) CHECK(r->body.controller_id == 1);
            if (v >= 2) CHECK(r->body.cluster_id == b.server->cluster_id());
            REQUIRE(r->body.topics.size() == 2);
            for (const auto& t : r->body.topics) {
                CHECK(t.error_code == code(error_code::unknown_topic_or_partition));
                CHECK(t.topic_id.is_zero());
            }
            CHECK(r->body.topics[0].name == "orders");
        }
    }

    TEST_CASE("Metadata for all topics returns none") {
        running_broker b;
        test::kafka_client c(b.port);
        msg::metadata_request v0_all;  // empty list: all topics in v0
        auto r0 = c.call<msg::metadata_response>(v0_all, 0);
        REQUIRE(r0);
        CHECK(r0->body.topics.empty());
        msg::metadata_request null_all;
        null_all.topics = std::nullopt;
        for (int16_t v : {1, 9, 12}) {
            auto r = c.call<msg::metadata_response>(null_all, v);
            REQUIRE(r);
            CHECK(r->body.topics.empty());
            CHECK(r->body.brokers.size() == 1);
        }
    }

    TEST_CASE("an unknown api key or an api the broker does not serve closes only that connection") {
        running_broker b;
        test::kafka_client unknown(b.port);
        unknown.send_frame(test::encode_request(test::api_versions_request(), 0, 1, 999));
        CHECK(unknown.closed_by_server());

        test::kafka_client unserved(b.port);  // DescribeClientQuotas: not served here
        unserved.send_frame(test::encode_request(msg::describe_client_quotas_request{}, 1, 1));
        CHECK(unserved.closed_by_server());

        test::kafka_client too_new(b.port);
        too_new.send_frame(test::encode_request(msg::metadata_request{}, 13, 1));
        CHECK(too_new.closed_by_server());

        test::kafka_client fine(b.port);
        CHECK(fine.call<msg::api_versions_response>(test::api_versions_request(), 3));
    }

    TEST_CASE("a client id with a newline is logged on one line, its control bytes escaped") {
        kafka_log_capture log;
        {
            running_broker b;
            test::kafka_client c(b.port);
            c.send_frame(test::encode_request(msg::describe_client_quotas_request{}, 1, 1,
                                              msg::describe_client_quotas_request::api_key,
                                              std::string("app\n[kafka] [warning] forged\x1b[0m")));
            CHECK(c.closed_by_server());
        }
        const std::string text = log.text();
        CHECK(std::count(text.begin(), text.end(), '\n') == 1);
        CHECK(text.find("(client id 'app\\x0a[kafka] [warning] forged\\x1b[0m') is not served") !=
              std::string::npos);
    }

    TEST_CASE("a bad frame on one connection leaves another connection working") {
        running_broker b;
        test::kafka_client good(b.port);
        test::kafka_client bad(b.port);
        CHECK(good.call<msg::api_versions_response>(test::api_versions_request(), 2));
        bad.send_raw({0x80, 0, 0, 0});  // negative size
        CHECK(bad.closed_by_server());
        test::kafka_client garbage(b.port);
        garbage.send_frame({1, 2, 3});  // too short for a header
        CHECK(garbage.closed_by_server());
        auto r = good.call<msg::metadata_response>(msg::metadata_request{}, 1);
        REQUIRE(r);
        CHECK(r->body.brokers.size() == 1);
    }

    TEST_CASE("pipelined requests on one connection are answered in order") {
        running_broker b;
        test::kafka_client c(b.port);
        std::vector<uint8_t> batch;
        for (int32_t id = 1; id <= 20; ++id) {
            auto f = id % 2 ? test::encode_request(test::api_versions_request(), 3, id)
                            : test::encode_request(msg::metadata_request{}, 4, id);
            auto framed = test::with_size_prefix(f);
            batch.insert(batch.end(), framed.begin(), framed.end());
        }
        c.send_raw(batch);
        for (int32_t id = 1; id <= 20; ++id) {
            auto frame = c.receive_frame();
            REQUIRE(frame);
            codec::reader r(frame->data(), frame->size());
            CHECK(r.read_int32() == id);
        }
    }
}
