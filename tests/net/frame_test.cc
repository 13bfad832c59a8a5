// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <vector>

#include "net/frame.h"

using eddy::net::check_frame;
using status = eddy::net::frame_check::status;

namespace {
std::vector<uint8_t> frame_of(int32_t declared, size_t body_bytes) {
    auto u = static_cast<uint32_t>(declared);
    std::vector<uint8_t> f{static_cast<uint8_t>(u >> 24), static_cast<uint8_t>(u >> 16),
                           static_cast<uint8_t>(u >> 8), static_cast<uint8_t>(u)};
    for (size_t i = 0; i < body_bytes; ++i) f.push_back(static_cast<uint8_t>(i));
    return f;
}
}  // namespace

TEST_SUITE("net.frame") {
    TEST_CASE("a frame split at every byte needs more until the last byte arrives") {
        std::vector<uint8_t> f = frame_of(300, 300);
        for (size_t cut = 0; cut < f.size(); ++cut) {
            auto c = check_frame(f.data(), cut, 1000);
            CHECK(c.st == status::need_more);
            CHECK(c.body_size == (cut < 4 ? 0u : 300u));
        }
        auto c = check_frame(f.data(), f.size(), 1000);
        CHECK(c.st == status::complete);
        CHECK(c.body_size == 300);
    }

    TEST_CASE("bytes after the frame belong to the next frame and do not change the result") {
        std::vector<uint8_t> f = frame_of(2, 10);
        auto c = check_frame(f.data(), f.size(), 100);
        CHECK(c.st == status::complete);
        CHECK(c.body_size == 2);
    }

    TEST_CASE("an empty body is complete after the size") {
        std::vector<uint8_t> f = frame_of(0, 0);
        CHECK(check_frame(f.data(), f.size(), 100).st == status::complete);
    }

    TEST_CASE("a negative size is invalid as soon as the size is in") {
        std::vector<uint8_t> f = frame_of(-1, 0);
        for (size_t cut = 0; cut < 4; ++cut) CHECK(check_frame(f.data(), cut, 100).st == status::need_more);
        CHECK(check_frame(f.data(), 4, 100).st == status::invalid);
        f = frame_of(INT32_MIN, 0);
        CHECK(check_frame(f.data(), 4, 100).st == status::invalid);
    }

    TEST_CASE("a size above the limit is invalid and exactly the limit is allowed") {
        std::vector<uint8_t> over = frame_of(101, 0);
        CHECK(check_frame(over.data(), over.size(), 100).st == status::invalid);
        std::vector<uint8_t> at = frame_of(100, 100);
        CHECK(check_frame(at.data(), at.size(), 100).st == status::complete);
        std::vector<uint8_t> huge = frame_of(INT32_MAX, 0);
        CHECK(check_frame(huge.data(), huge.size(), 104857600).st == status::invalid);
    }
}
