// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Decoding any proper prefix of an encoded message fails cleanly: no crash, no read
// past the end (each prefix is decoded from a buffer of exactly its own size, so
// ASan sees any overrun), and read() reports failure.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "eddy/msg/registry.h"
#include "eddy/msg_test/fill.h"

using namespace eddy;

namespace {

template <class T>
int truncations_of_every_version() {
    int checked = 0;
    for (int16_t v = T::min_version; v <= T::max_version; ++v) {
        for (uint64_t seed = 0; seed < 3; ++seed) {
            codec_test::rng g(seed + 1000 * static_cast<uint64_t>(v));
            T original;
            msg_test::fill_random(original, g, v);
            std::vector<uint8_t> bytes;
            codec::writer w(bytes);
            original.write(w, v);
            for (size_t len = 0; len < bytes.size(); ++len) {
                auto exact = std::make_unique<uint8_t[]>(len == 0 ? 1 : len);
                std::copy(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(len), exact.get());
                codec::reader r(exact.get(), len);
                T decoded;
                INFO(T::schema_name, " v", v, " seed ", seed, " prefix ", len, " of ", bytes.size());
                REQUIRE_FALSE(decoded.read(r, v));
                ++checked;
            }
        }
    }
    return checked;
}

}  // namespace

TEST_SUITE("codec.truncation") {
    TEST_CASE("every truncation of every message fails to decode") {
        int checked = 0;
        msg::for_each_message([&]<class T>() { checked += truncations_of_every_version<T>(); });
        MESSAGE(checked, " truncated encodings rejected");
        CHECK(checked > 0);
    }
}
