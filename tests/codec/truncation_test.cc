// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Decoding any proper prefix of an encoded message fails cleanly: no crash, no read
// past the end (each prefix is decoded from a buffer of exactly its own size, so
// ASan sees any overrun), and read() reports failure.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "message_ops.h"

using namespace eddy;

TEST_SUITE("codec.truncation") {
    TEST_CASE("every truncation of every message fails to decode") {
        int checked = 0;
        for (const auto& m : codec_test::every_message()) {
            for (int16_t v = m.min_version; v <= m.max_version; ++v) {
                for (uint64_t seed = 0; seed < 3; ++seed) {
                    codec_test::rng g(seed + 1000 * static_cast<uint64_t>(v));
                    std::vector<uint8_t> bytes = m.encode_random(g, v);
                    for (size_t len = 0; len < bytes.size(); ++len) {
                        auto exact = std::make_unique<uint8_t[]>(len == 0 ? 1 : len);
                        std::copy(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(len), exact.get());
                        INFO(m.name, " v", v, " seed ", seed, " prefix ", len, " of ", bytes.size());
                        REQUIRE_FALSE(m.decodes(exact.get(), len, v));
                        ++checked;
                    }
                }
            }
        }
        MESSAGE(checked, " truncated encodings rejected");
        CHECK(checked > 0);
    }
}
