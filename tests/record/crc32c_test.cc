// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <random>
#include <string_view>
#include <vector>

#include "record/crc32c.h"

namespace eddy::record {
namespace {

const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

uint32_t both(const std::vector<uint8_t>& v) {
    uint32_t portable = crc32c_portable(v.data(), v.size());
    if (crc32c_hardware_available()) CHECK(crc32c_hardware(v.data(), v.size()) == portable);
    if (crc32c_folding_available()) CHECK(crc32c_folding(v.data(), v.size()) == portable);
    CHECK(crc32c(v.data(), v.size()) == portable);
    return portable;
}

}  // namespace

TEST_SUITE("record.crc32c") {
    TEST_CASE("the check value of CRC-32C for \"123456789\" is 0xE3069283") {
        CHECK(crc32c(bytes("123456789"), 9) == 0xE3069283u);
        CHECK(crc32c_portable(bytes("123456789"), 9) == 0xE3069283u);
    }

    TEST_CASE("the RFC 3720 (iSCSI) test vectors match on every implementation") {
        std::vector<uint8_t> v(32, 0);
        CHECK(both(v) == 0x8A9136AAu);
        std::fill(v.begin(), v.end(), 0xFF);
        CHECK(both(v) == 0x62A8AB43u);
        for (int i = 0; i < 32; ++i) v[i] = static_cast<uint8_t>(i);
        CHECK(both(v) == 0x46DD794Eu);
        for (int i = 0; i < 32; ++i) v[i] = static_cast<uint8_t>(31 - i);
        CHECK(both(v) == 0x113FDB5Cu);
    }

    TEST_CASE("the empty input has CRC 0") { CHECK(crc32c(nullptr, 0) == 0u); }

    TEST_CASE("hardware and portable paths agree on random data of every length and alignment") {
        std::mt19937 rng(42);
        std::vector<uint8_t> data(4096 + 16);
        for (auto& b : data) b = static_cast<uint8_t>(rng());
        for (size_t len = 0; len < 300; ++len) {
            for (size_t start = 0; start < 8; ++start) {
                uint32_t p = crc32c_portable(data.data() + start, len);
                CHECK(crc32c(data.data() + start, len) == p);
                if (crc32c_hardware_available()) {
                    CHECK(crc32c_hardware(data.data() + start, len) == p);
                }
                if (crc32c_folding_available()) {
                    CHECK(crc32c_folding(data.data() + start, len) == p);
                }
            }
        }
        CHECK(crc32c(data.data(), 4096) == crc32c_portable(data.data(), 4096));
    }

    // The hardware path runs inputs of 768 bytes and more as three interleaved lanes
    // (of 256 and of 8192 bytes) and joins them; lengths around those sizes, at every
    // alignment, and continued CRCs must still match the portable result.
    TEST_CASE("hardware and portable paths agree on long inputs cut into lanes") {
        const size_t lengths[] = {767,   768,   769,   775,   1536,  2000,  24575,
                                  24576, 24577, 25344, 49152, 50000, 74729};
        std::mt19937 rng(7);
        // Room for the longest length at the furthest start (7).
        std::vector<uint8_t> data(74729 + 8);
        for (auto& b : data) b = static_cast<uint8_t>(rng());
        for (size_t len : lengths) {
            for (size_t start = 0; start < 8; ++start) {
                CAPTURE(len);
                CAPTURE(start);
                uint32_t p = crc32c_portable(data.data() + start, len);
                CHECK(crc32c(data.data() + start, len) == p);
                CHECK(crc32c(data.data() + start, len, 0x12345678u) ==
                      crc32c_portable(data.data() + start, len, 0x12345678u));
                uint32_t half = crc32c(data.data() + start, len / 2);
                CHECK(crc32c(data.data() + start + len / 2, len - len / 2, half) == p);
            }
        }
    }

    // The folding path keeps four 64-byte accumulators folded 256 bytes at a time, then
    // one folded 64 bytes at a time, then hands under 64 bytes to the crc32 instruction:
    // lengths at and around each of those steps, every alignment, a non-zero starting
    // CRC, and inputs whose bytes are all equal (a folding constant off by one power of x
    // still agrees on some random inputs by chance, never on all of these).
    TEST_CASE("the folding path agrees with the portable one at every step boundary") {
        if (!crc32c_folding_available()) {
            MESSAGE("this CPU has no AVX-512 VPCLMULQDQ; the folding path is not used here");
            return;
        }
        std::mt19937 rng(11);
        std::vector<uint8_t> random(20000 + 64);
        for (auto& b : random) b = static_cast<uint8_t>(rng());
        std::vector<uint8_t> ones(20000 + 64, 0xFF);
        std::vector<uint8_t> zeros(20000 + 64, 0);
        for (const auto* data : {&random, &ones, &zeros}) {
            for (size_t len = 0; len < 1200; ++len) {
                for (size_t start : {0, 1, 7, 63}) {
                    CAPTURE(len);
                    CAPTURE(start);
                    const uint8_t* p = data->data() + start;
                    CHECK(crc32c_folding(p, len) == crc32c_portable(p, len));
                    CHECK(crc32c_folding(p, len, 0x9E3779B9u) ==
                          crc32c_portable(p, len, 0x9E3779B9u));
                }
            }
            for (size_t len : {4095, 4096, 4097, 16384, 19999, 20000}) {
                CAPTURE(len);
                CHECK(crc32c_folding(data->data() + 3, len) ==
                      crc32c_portable(data->data() + 3, len));
            }
        }
    }

    TEST_CASE("a CRC can be continued across pieces") {
        std::string_view s = "123456789";
        for (size_t cut = 0; cut <= s.size(); ++cut) {
            uint32_t first = crc32c(bytes(s), cut);
            CHECK(crc32c(bytes(s) + cut, s.size() - cut, first) == 0xE3069283u);
            uint32_t pfirst = crc32c_portable(bytes(s), cut);
            CHECK(crc32c_portable(bytes(s) + cut, s.size() - cut, pfirst) == 0xE3069283u);
        }
    }
}

}  // namespace eddy::record
