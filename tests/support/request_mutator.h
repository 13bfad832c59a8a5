// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Requests that decode but mean nonsense, for the tests that feed them to handlers: a
// valid request is encoded in a version, some of its bytes are changed, and whatever still
// decodes is handed to the code under test. The request fuzzer checks the decoders; these
// tests reach the logic behind them. Seeds are fixed, so a failure replays.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"

namespace eddy::test {

class request_mutator {
public:
    explicit request_mutator(uint32_t seed) : rng_(seed) {}

    uint32_t below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

    // A few changed bytes; sometimes an edge value written over 2, 4 or 8 bytes (a field of
    // that width, wherever it lands), sometimes a cut.
    std::vector<uint8_t> mutate(std::vector<uint8_t> bytes) {
        // Values at the edges of what a field means: none, the sentinels, the extremes.
        static constexpr std::array<int64_t, 8> edge_values{0, 1, -1, -2, -3, INT32_MAX, INT32_MIN, INT64_MIN};
        static constexpr std::array<size_t, 3> widths{2, 4, 8};
        const uint32_t changes = 1 + below(4);
        for (uint32_t c = 0; c < changes && !bytes.empty(); ++c) {
            if (below(3) == 0) {
                const size_t width = widths[below(3)];
                if (bytes.size() < width) continue;
                const size_t at = below(static_cast<uint32_t>(bytes.size() - width + 1));
                const auto v = static_cast<uint64_t>(edge_values[below(static_cast<uint32_t>(edge_values.size()))]);
                for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
            } else {
                bytes[below(static_cast<uint32_t>(bytes.size()))] ^= static_cast<uint8_t>(1 + below(255));
            }
        }
        if (!bytes.empty() && below(8) == 0) bytes.resize(below(static_cast<uint32_t>(bytes.size())));
        return bytes;
    }

private:
    std::mt19937 rng_;
};

template <class T>
std::vector<uint8_t> encode(const T& message, int16_t version) {
    std::vector<uint8_t> out;
    codec::writer w(out);
    message.write(w, version);
    return out;
}

// An answer must encode in its version, and decode again from exactly those bytes.
template <class Resp>
void check_encodes(const Resp& response, int16_t version) {
    const std::vector<uint8_t> bytes = encode(response, version);
    REQUIRE(bytes.size() == response.size(version));
    Resp again;
    codec::reader r(bytes.data(), bytes.size());
    REQUIRE(again.read(r, version));
    CHECK(r.remaining() == 0);
}

// Mutates `seed` `rounds` times, each encoded in a version drawn from [min_version,
// max_version], and calls `handle(request, version)` with every mutation that decodes;
// returns how many did. Byte fields of the request point into bytes that live for the call.
template <class Req, class Handle>
int exercise_mutations(request_mutator& m, const Req& seed, int16_t min_version, int16_t max_version, int rounds,
                       Handle handle) {
    int handled = 0;
    const auto span = static_cast<uint32_t>(max_version - min_version + 1);
    for (int round = 0; round < rounds; ++round) {
        const auto version = static_cast<int16_t>(min_version + static_cast<int16_t>(m.below(span)));
        const std::vector<uint8_t> bytes = m.mutate(encode(seed, version));
        Req request;
        codec::reader r(bytes.data(), bytes.size());
        if (!request.read(r, version) || !r.ok()) continue;
        CAPTURE(version);
        CAPTURE(round);
        handle(std::move(request), version);
        ++handled;
    }
    return handled;
}

}  // namespace eddy::test
