// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Every generated message, in every valid version, survives write -> read unchanged.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "eddy/msg/registry.h"
#include "eddy/msg_test/fill.h"

using namespace eddy;

namespace {

constexpr int kSeedsPerVersion = 24;

struct roundtrip_stats {
    int messages = 0;
    int versions = 0;
};

template <class T>
void roundtrip_every_version(roundtrip_stats& stats) {
    ++stats.messages;
    for (int16_t v = T::min_version; v <= T::max_version; ++v) {
        ++stats.versions;
        for (uint64_t seed = 0; seed < kSeedsPerVersion; ++seed) {
            codec_test::rng g(seed * 7919 + static_cast<uint64_t>(v));
            T original;
            msg_test::fill_random(original, g, v);

            std::vector<uint8_t> bytes;
            codec::writer w(bytes);
            original.write(w, v);
            INFO(T::schema_name, " v", v, " seed ", seed);
            REQUIRE(bytes.size() == original.size(v));

            T decoded;
            codec::reader r(bytes.data(), bytes.size());
            REQUIRE(decoded.read(r, v));
            CHECK(r.remaining() == 0);
            REQUIRE(decoded == original);

            std::vector<uint8_t> again;
            codec::writer w2(again);
            decoded.write(w2, v);
            CHECK(again == bytes);
        }
    }
}

}  // namespace

TEST_SUITE("codec.roundtrip") {
    TEST_CASE("every message in every version reads back what was written") {
        roundtrip_stats stats;
        msg::for_each_message([&]<class T>() { roundtrip_every_version<T>(stats); });
        MESSAGE(stats.messages, " schemas, ", stats.versions, " versions round-tripped");
        CHECK(stats.messages >= 230);
    }

    TEST_CASE("a version outside the schema's range is refused") {
        std::vector<uint8_t> bytes(64, 0);
        codec::reader r(bytes.data(), bytes.size());
        msg::metadata_request m;
        CHECK_FALSE(m.read(r, msg::metadata_request::max_version + 1));
    }
}
