// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "record/compression.h"

namespace eddy::record {
namespace {

constexpr compression compressing_codecs[] = {compression::gzip, compression::snappy, compression::lz4,
                                      compression::zstd};

std::vector<uint8_t> sample_data(size_t n, bool compressible) {
    std::mt19937 rng(7);
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) {
        v[i] = compressible ? static_cast<uint8_t>("kafka records "[i % 14]) : static_cast<uint8_t>(rng());
    }
    return v;
}

std::vector<uint8_t> packed(compression c, const std::vector<uint8_t>& in) {
    std::vector<uint8_t> out;
    REQUIRE(compress(c, in.data(), in.size(), out));
    return out;
}

std::vector<uint8_t> unpacked(const byte_buffer& b) { return {b.data(), b.data() + b.size()}; }

}  // namespace

TEST_SUITE("record.compression") {
    TEST_CASE("every codec round-trips empty, small, large and incompressible data") {
        byte_buffer out;
        for (compression c : compressing_codecs) {
            for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300'000}}) {
                for (bool compressible : {true, false}) {
                    CAPTURE(to_string(c));
                    CAPTURE(n);
                    auto data = sample_data(n, compressible);
                    auto z = packed(c, data);
                    REQUIRE(decompress(c, z.data(), z.size(), out, 1 << 20) == codec_status::ok);
                    CHECK(unpacked(out) == data);
                }
            }
        }
    }

    TEST_CASE("output exactly at the limit is accepted, one byte over is too large") {
        byte_buffer out;
        auto data = sample_data(100'000, true);
        for (compression c : compressing_codecs) {
            CAPTURE(to_string(c));
            auto z = packed(c, data);
            CHECK(decompress(c, z.data(), z.size(), out, data.size()) == codec_status::ok);
            CHECK(out.size() == data.size());
            CHECK(decompress(c, z.data(), z.size(), out, data.size() - 1) == codec_status::too_large);
        }
    }

    TEST_CASE("a decompression bomb stops at the limit without allocating past it") {
        std::vector<uint8_t> zeros(32 << 20, 0);
        for (compression c : compressing_codecs) {
            CAPTURE(to_string(c));
            auto bomb = packed(c, zeros);
            CHECK(bomb.size() < (2 << 20));
            byte_buffer out;
            CHECK(decompress(c, bomb.data(), bomb.size(), out, 1 << 20) == codec_status::too_large);
            CHECK(out.capacity() <= (1u << 20));
        }
    }

    TEST_CASE("a raw snappy block announcing a huge length is too large before any allocation") {
        // varint 0xFFFFFFFF as the uncompressed length, then a literal.
        std::vector<uint8_t> lie = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 'x'};
        byte_buffer out;
        CHECK(decompress(compression::snappy, lie.data(), lie.size(), out, 1 << 20) ==
              codec_status::too_large);
        CHECK(out.capacity() == 0);
    }

    TEST_CASE("every truncation of a compressed payload fails or yields less, never crashes") {
        auto data = sample_data(5000, false);
        byte_buffer out;
        for (compression c : compressing_codecs) {
            CAPTURE(to_string(c));
            auto z = packed(c, data);
            for (size_t cut = 0; cut < z.size(); ++cut) {
                CAPTURE(cut);
                codec_status s = decompress(c, z.data(), cut, out, 1 << 20);
                // xerial snappy cut at a chunk boundary is a shorter valid stream; the
                // record count check catches that one.
                CHECK((s == codec_status::corrupt || (s == codec_status::ok && out.size() < data.size())));
                if (c != compression::snappy) CHECK(s == codec_status::corrupt);
            }
        }
    }

    TEST_CASE("garbage is corrupt for every codec") {
        auto junk = sample_data(200, false);
        byte_buffer out;
        for (compression c : compressing_codecs) {
            CAPTURE(to_string(c));
            CHECK(decompress(c, junk.data(), junk.size(), out, 1 << 20) == codec_status::corrupt);
        }
    }

    TEST_CASE("snappy accepts both the xerial framing and a raw block") {
        auto data = sample_data(100'000, true);
        auto framed = packed(compression::snappy, data);
        CHECK(framed[0] == 0x82);
        std::vector<uint8_t> raw;
        codec::snappy_raw(data.data(), data.size(), raw);
        byte_buffer out;
        REQUIRE(decompress(compression::snappy, framed.data(), framed.size(), out, 1 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
        REQUIRE(decompress(compression::snappy, raw.data(), raw.size(), out, 1 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
    }

    TEST_CASE("gzip accepts concatenated members and ignores what follows the last one") {
        auto a = sample_data(1000, true);
        auto b = sample_data(700, false);
        auto z = packed(compression::gzip, a);
        auto zb = packed(compression::gzip, b);
        z.insert(z.end(), zb.begin(), zb.end());
        byte_buffer out;
        REQUIRE(decompress(compression::gzip, z.data(), z.size(), out, 1 << 20) == codec_status::ok);
        auto both = a;
        both.insert(both.end(), b.begin(), b.end());
        CHECK(unpacked(out) == both);
        z.push_back(0);
        z.push_back(0);
        CHECK(decompress(compression::gzip, z.data(), z.size(), out, 1 << 20) == codec_status::ok);
    }

    TEST_CASE("a zlib stream without the gzip wrapper is not gzip") {
        auto data = sample_data(1000, true);
        std::vector<uint8_t> z(compressBound(data.size()));
        uLongf len = z.size();
        REQUIRE(compress2(z.data(), &len, data.data(), data.size(), 6) == Z_OK);
        byte_buffer out;
        CHECK(decompress(compression::gzip, z.data(), len, out, 1 << 20) == codec_status::corrupt);
    }

    TEST_CASE("lz4 ignores bytes after the frame's end mark, as Kafka does") {
        auto data = sample_data(1000, true);
        auto z = packed(compression::lz4, data);
        z.push_back(0xAB);
        byte_buffer out;
        REQUIRE(decompress(compression::lz4, z.data(), z.size(), out, 1 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
    }

    // liblz4 keeps a declared content size in its context across resets: a batch whose
    // frame declared one and was cut short must not make the next batch fail.
    TEST_CASE("a cut lz4 frame with a content size does not spoil the next frame") {
        auto data = sample_data(100'000, false);
        LZ4F_preferences_t prefs{};
        prefs.frameInfo.contentSize = data.size();
        std::vector<uint8_t> sized(LZ4F_compressFrameBound(data.size(), &prefs));
        sized.resize(LZ4F_compressFrame(sized.data(), sized.size(), data.data(), data.size(), &prefs));
        REQUIRE_FALSE(LZ4F_isError(sized.size()));
        auto plain = packed(compression::lz4, data);
        byte_buffer out;
        CHECK(decompress(compression::lz4, sized.data(), sized.size() / 2, out, 1 << 20) == codec_status::corrupt);
        REQUIRE(decompress(compression::lz4, plain.data(), plain.size(), out, 1 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
        CHECK(decompress(compression::lz4, sized.data(), sized.size(), out, 50'000) == codec_status::too_large);
        REQUIRE(decompress(compression::lz4, plain.data(), plain.size(), out, 1 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
    }

    TEST_CASE("zstd accepts concatenated frames") {
        auto a = sample_data(1000, true);
        auto z = packed(compression::zstd, a);
        auto z2 = z;
        z.insert(z.end(), z2.begin(), z2.end());
        byte_buffer out;
        REQUIRE(decompress(compression::zstd, z.data(), z.size(), out, 1 << 20) == codec_status::ok);
        CHECK(out.size() == 2000);
    }

    // librdkafka writes zstd frames without a content size. A reused buffer that is big
    // enough takes the frame in one pass; one too small grows by streaming; both give
    // the same bytes, and the limit holds either way.
    TEST_CASE("zstd frames without a content size decode into fresh, reused and small buffers") {
        auto data = sample_data(300'000, true);
        std::vector<uint8_t> z(ZSTD_compressBound(data.size()));
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        REQUIRE(cctx != nullptr);
        REQUIRE(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
        size_t n = ZSTD_compress2(cctx, z.data(), z.size(), data.data(), data.size());
        ZSTD_freeCCtx(cctx);
        REQUIRE(!ZSTD_isError(n));
        z.resize(n);
        REQUIRE(ZSTD_getFrameContentSize(z.data(), z.size()) == ZSTD_CONTENTSIZE_UNKNOWN);

        byte_buffer fresh;
        REQUIRE(decompress(compression::zstd, z.data(), z.size(), fresh, 1 << 20) == codec_status::ok);
        CHECK(unpacked(fresh) == data);
        REQUIRE(decompress(compression::zstd, z.data(), z.size(), fresh, 1 << 20) == codec_status::ok);
        CHECK(unpacked(fresh) == data);

        byte_buffer small;
        auto little = packed(compression::zstd, sample_data(10, true));
        REQUIRE(decompress(compression::zstd, little.data(), little.size(), small, 1 << 20) == codec_status::ok);
        REQUIRE(decompress(compression::zstd, z.data(), z.size(), small, 1 << 20) == codec_status::ok);
        CHECK(unpacked(small) == data);

        CHECK(decompress(compression::zstd, z.data(), z.size(), fresh, data.size() - 1) ==
              codec_status::too_large);
        z.resize(z.size() - 1);
        CHECK(decompress(compression::zstd, z.data(), z.size(), fresh, 1 << 20) == codec_status::corrupt);
    }

    TEST_CASE("compression none or an unknown id cannot be decompressed") {
        std::vector<uint8_t> x = {1, 2, 3};
        byte_buffer out;
        CHECK(decompress(compression::none, x.data(), x.size(), out, 100) == codec_status::unsupported);
        CHECK(decompress(static_cast<compression>(6), x.data(), x.size(), out, 100) ==
              codec_status::unsupported);
    }

    TEST_CASE("a buffer gives back storage above what it keeps and works again after") {
        const std::vector<uint8_t> data = sample_data(3 << 20, true);
        const std::vector<uint8_t> z = packed(compression::gzip, data);
        byte_buffer out;
        REQUIRE(decompress(compression::gzip, z.data(), z.size(), out, 8 << 20) == codec_status::ok);
        out.release_above(4 << 20);  // 3 MiB decompressed: kept
        CHECK(out.capacity() >= data.size());
        out.release_above(1 << 20);
        CHECK(out.capacity() == 0);
        CHECK(out.size() == 0);
        REQUIRE(decompress(compression::gzip, z.data(), z.size(), out, 8 << 20) == codec_status::ok);
        CHECK(unpacked(out) == data);
    }
}

}  // namespace eddy::record
