// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// check_framing: what lz4 and zstd framing shows without decompressing, checked against
// what decompressing the same bytes shows.
#include <doctest/doctest.h>
#include <lz4frame.h>
#include <zstd.h>

#include <random>

#include "record/compression.h"

namespace eddy::record {
namespace {

constexpr size_t framing_limit = 64u << 20;

std::vector<uint8_t> mixed_data(size_t n) {
    std::mt19937 rng(11);
    std::vector<uint8_t> v(n);
    // Half text, half noise: some blocks compress, some are stored as they are.
    for (size_t i = 0; i < n; ++i) {
        v[i] = (i / 70'000) % 2 == 0 ? static_cast<uint8_t>("offsets "[i % 8]) : static_cast<uint8_t>(rng());
    }
    return v;
}

// An LZ4 frame with every optional field liblz4 can write: block and content checksums,
// the content size, 256 KiB blocks.
std::vector<uint8_t> lz4_with_checksums(const std::vector<uint8_t>& data) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max256KB;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.contentSize = data.size();
    std::vector<uint8_t> out(LZ4F_compressFrameBound(data.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), &prefs);
    REQUIRE_FALSE(LZ4F_isError(n));
    out.resize(n);
    return out;
}

// A zstd frame as librdkafka writes it: no content size, here with a checksum.
std::vector<uint8_t> zstd_streamed(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(ZSTD_compressBound(data.size()));
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    REQUIRE(cctx != nullptr);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
    ZSTD_freeCCtx(cctx);
    REQUIRE_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

std::vector<uint8_t> framed(compression c, const std::vector<uint8_t>& in) {
    std::vector<uint8_t> out;
    REQUIRE(compress(c, in.data(), in.size(), out));
    return out;
}

}  // namespace

TEST_SUITE("record.framing") {
    TEST_CASE("a whole stream is ok and bounds what it decompresses to") {
        for (size_t size : {size_t{0}, size_t{1}, size_t{5000}, size_t{300'000}, size_t{1'100'000}}) {
            const auto data = mixed_data(size);
            const std::pair<compression, std::vector<uint8_t>> streams[] = {
                {compression::lz4, framed(compression::lz4, data)},
                {compression::lz4, lz4_with_checksums(data)},
                {compression::zstd, framed(compression::zstd, data)},
                {compression::zstd, zstd_streamed(data)},
            };
            for (const auto& [c, z] : streams) {
                CAPTURE(to_string(c));
                CAPTURE(size);
                framing f = check_framing(c, z.data(), z.size(), framing_limit);
                REQUIRE(f.status == codec_status::ok);
                CHECK(f.max_decompressed >= size);
                byte_buffer out;
                REQUIRE(decompress(c, z.data(), z.size(), out, framing_limit) == codec_status::ok);
            }
        }
    }

    TEST_CASE("every cut of a stream that decompression refuses, framing refuses too") {
        const auto data = mixed_data(200'000);
        const std::pair<compression, std::vector<uint8_t>> streams[] = {
            {compression::lz4, framed(compression::lz4, data)},
            {compression::lz4, lz4_with_checksums(data)},
            {compression::zstd, zstd_streamed(data)},
        };
        for (const auto& [c, z] : streams) {
            CAPTURE(to_string(c));
            byte_buffer out;
            for (size_t keep = 0; keep < z.size(); keep += 1 + keep / 16) {
                CAPTURE(keep);
                framing f = check_framing(c, z.data(), keep, framing_limit);
                if (decompress(c, z.data(), keep, out, framing_limit) != codec_status::ok) {
                    CHECK(f.status == codec_status::corrupt);
                }
            }
        }
    }

    TEST_CASE("what follows an lz4 end mark is ignored; zstd frames may follow each other") {
        const auto data = mixed_data(1000);
        auto lz4 = framed(compression::lz4, data);
        lz4.push_back(0xAB);
        framing f = check_framing(compression::lz4, lz4.data(), lz4.size(), framing_limit);
        CHECK(f.status == codec_status::ok);
        auto zstd = framed(compression::zstd, data);
        const auto one = zstd;
        zstd.insert(zstd.end(), one.begin(), one.end());
        f = check_framing(compression::zstd, zstd.data(), zstd.size(), framing_limit);
        CHECK(f.status == codec_status::ok);
        CHECK(f.max_decompressed >= 2000);
        zstd.push_back(0);
        CHECK(check_framing(compression::zstd, zstd.data(), zstd.size(), framing_limit).status == codec_status::corrupt);
    }

    TEST_CASE("a bad lz4 header or an oversized block is corrupt") {
        auto z = framed(compression::lz4, mixed_data(1000));
        auto bad_checksum = z;
        bad_checksum[6] ^= 0xFF;  // the header checksum byte (no optional header fields here)
        CHECK(check_framing(compression::lz4, bad_checksum.data(), bad_checksum.size(), framing_limit).status ==
              codec_status::corrupt);
        auto bad_magic = z;
        bad_magic[0] ^= 1;
        CHECK(check_framing(compression::lz4, bad_magic.data(), bad_magic.size(), framing_limit).status ==
              codec_status::corrupt);
        // The first block claims 64 KiB + 1 bytes in a 64 KiB-block frame.
        auto oversized = z;
        const uint32_t length = (64u << 10) + 1;
        for (int i = 0; i < 4; ++i) oversized[7 + i] = static_cast<uint8_t>(length >> (8 * i));
        oversized.resize(oversized.size() + length);
        CHECK(check_framing(compression::lz4, oversized.data(), oversized.size(), framing_limit).status ==
              codec_status::corrupt);
    }

    TEST_CASE("a zstd window beyond what decompression allows is corrupt") {
        auto z = zstd_streamed(mixed_data(1000));
        // Without a content size the frame is not single-segment, so its header has a
        // window descriptor after the magic and the descriptor byte: make it 1 GiB.
        REQUIRE((z[4] & 0x20) == 0);
        z[5] = 20 << 3;
        byte_buffer out;
        CHECK(decompress(compression::zstd, z.data(), z.size(), out, framing_limit) == codec_status::corrupt);
        CHECK(check_framing(compression::zstd, z.data(), z.size(), framing_limit).status == codec_status::corrupt);
    }

    TEST_CASE("gzip, snappy and none have no framing to check") {
        const auto data = mixed_data(100);
        for (compression c : {compression::gzip, compression::snappy}) {
            auto z = framed(c, data);
            CHECK(check_framing(c, z.data(), z.size(), framing_limit).status == codec_status::unsupported);
        }
        CHECK(check_framing(compression::none, data.data(), data.size(), framing_limit).status ==
              codec_status::unsupported);
    }
}

}  // namespace eddy::record
