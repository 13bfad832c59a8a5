// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Every generated message, in every valid version, survives write -> read unchanged.
#include <doctest/doctest.h>

#include <vector>

#include "eddy/codec/reader.h"
#include "eddy/msg/metadata_request.h"
#include "message_ops.h"

using namespace eddy;

namespace {

constexpr int kSeedsPerVersion = 24;

}  // namespace

TEST_SUITE("codec.roundtrip") {
    TEST_CASE("every message in every version reads back what was written") {
        int versions = 0;
        const auto& messages = codec_test::every_message();
        for (const auto& m : messages) {
            for (int16_t v = m.min_version; v <= m.max_version; ++v) {
                ++versions;
                for (uint64_t seed = 0; seed < kSeedsPerVersion; ++seed) {
                    codec_test::rng g(seed * 7919 + static_cast<uint64_t>(v));
                    INFO(m.name, " v", v, " seed ", seed);
                    auto out = m.roundtrip(g, v);
                    REQUIRE(out.bytes.size() == out.declared_size);
                    REQUIRE(out.read_ok);
                    CHECK(out.left_unread == 0);
                    REQUIRE(out.equal);
                    CHECK(out.again == out.bytes);
                }
            }
        }
        MESSAGE(messages.size(), " schemas, ", versions, " versions round-tripped");
        CHECK(messages.size() >= 230);
    }

    TEST_CASE("a version outside the schema's range is refused") {
        std::vector<uint8_t> bytes(64, 0);
        codec::reader r(bytes.data(), bytes.size());
        msg::metadata_request m;
        CHECK_FALSE(m.read(r, msg::metadata_request::max_version + 1));
    }
}
