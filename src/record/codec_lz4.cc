// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// lz4. Kafka's Lz4BlockInputStream/OutputStream speak the LZ4 frame format (for
// magic 2 with a correct header checksum; only magic 0 had the broken one), so this
// is liblz4's frame API. Memory inside liblz4 is bounded by the frame's maximum block
// size (4 MiB at most).
#include <lz4frame.h>

#include <algorithm>
#include <memory>

#include "record/compression.h"

namespace eddy::record::codec {
namespace {

struct dctx_deleter {
    void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

std::unique_ptr<LZ4F_dctx, dctx_deleter> new_dctx() {
    LZ4F_dctx* d = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) d = nullptr;
    return std::unique_ptr<LZ4F_dctx, dctx_deleter>(d);
}

// One context per thread, reset per stream: no allocation per batch. liblz4 (1.9.4)
// keeps a header's content size in the context across a reset until a frame that
// declared one is decoded to its end; a frame without a content size decoded there
// afterwards then fails as if it ended early. So a context that saw a frame fail is
// replaced, and frame headers are read in a context of their own.
std::unique_ptr<LZ4F_dctx, dctx_deleter>& thread_dctx() {
    thread_local std::unique_ptr<LZ4F_dctx, dctx_deleter> ctx = new_dctx();
    return ctx;
}

LZ4F_dctx* thread_header_dctx() {
    thread_local std::unique_ptr<LZ4F_dctx, dctx_deleter> ctx = new_dctx();
    return ctx.get();
}

codec_status decode_frame(LZ4F_dctx* d, const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    LZ4F_resetDecompressionContext(d);
    size_t pos = 0;
    for (;;) {
        uint8_t probe;
        bool at_limit = !out.grow(limit);
        size_t room = at_limit ? 1 : out.room(limit);
        size_t src = n - pos;
        size_t hint = LZ4F_decompress(d, at_limit ? &probe : out.data() + out.size(), &room,
                                      in + pos, &src, nullptr);
        if (LZ4F_isError(hint)) return codec_status::corrupt;
        pos += src;
        if (at_limit && room > 0) return codec_status::too_large;
        if (!at_limit) out.set_size(out.size() + room);
        // 0: the frame is complete; whatever follows it is ignored, as Kafka does.
        if (hint == 0) return codec_status::ok;
        // More input wanted but none left: the frame was cut short.
        if (pos == n && room == 0) return codec_status::corrupt;
        if (src == 0 && room == 0) return codec_status::corrupt;  // no progress possible
    }
}

}  // namespace

codec_status unlz4(const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    auto& ctx = thread_dctx();
    if (ctx == nullptr) ctx = new_dctx();
    if (ctx == nullptr) return codec_status::corrupt;
    codec_status s = decode_frame(ctx.get(), in, n, out, limit);
    if (s != codec_status::ok) ctx = new_dctx();
    return s;
}

// The LZ4 frame format: a header (liblz4 checks its version, reserved bits, block size
// id and checksum), then blocks, each a little-endian 32-bit word (high bit: stored
// uncompressed; the rest: its length, at most the frame's block size) followed by that
// many bytes and a 4-byte checksum when the header asks for block checksums, and an end
// mark (a word whose length is 0), then a 4-byte content checksum when asked for.
framing lz4_framing(const uint8_t* in, size_t n) {
    constexpr framing corrupt{codec_status::corrupt, 0};
    LZ4F_dctx* d = thread_header_dctx();
    if (d == nullptr) return corrupt;
    LZ4F_resetDecompressionContext(d);
    LZ4F_frameInfo_t info{};
    size_t pos = n;
    if (LZ4F_isError(LZ4F_getFrameInfo(d, &info, in, &pos)) || info.frameType != LZ4F_frame) {
        return corrupt;
    }
    // Block size ids 4-7 (the header check refuses others): 64 KiB, 256 KiB, 1 MiB, 4 MiB.
    const uint64_t block_max = uint64_t{1} << (2 * static_cast<unsigned>(info.blockSizeID) + 8);
    const size_t block_checksum = info.blockChecksumFlag == LZ4F_blockChecksumEnabled ? 4 : 0;
    uint64_t bound = 0;
    for (;;) {
        if (n - pos < 4) return corrupt;
        const uint32_t word = static_cast<uint32_t>(in[pos]) | static_cast<uint32_t>(in[pos + 1]) << 8 |
                              static_cast<uint32_t>(in[pos + 2]) << 16 | static_cast<uint32_t>(in[pos + 3]) << 24;
        pos += 4;
        const uint32_t length = word & 0x7FFFFFFFu;
        if (length == 0) break;  // the end mark
        if (length > block_max || n - pos < length + block_checksum) return corrupt;
        pos += length + block_checksum;
        bound += (word & 0x80000000u) != 0 ? length : block_max;
    }
    if (info.contentChecksumFlag == LZ4F_contentChecksumEnabled && n - pos < 4) return corrupt;
    // Whatever follows the frame is ignored, as by unlz4 and Kafka.
    return {codec_status::ok, bound};
}

bool lz4(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
    LZ4F_preferences_t prefs{};
    // Kafka's Lz4BlockOutputStream: its default level (9) takes lz4-java's fast
    // compressor (liblz4's level 0 here), any other level the high compressor (LZ4HC)
    // at that level. liblz4's frame API takes levels below its LZ4HC range (1, and 2
    // before liblz4 1.10) to its fast compressor; the frame is valid either way.
    prefs.compressionLevel = level == default_lz4_level ? 0 : level;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    size_t start = out.size();
    out.resize(start + LZ4F_compressFrameBound(n, &prefs));
    size_t written = LZ4F_compressFrame(out.data() + start, out.size() - start, in, n, &prefs);
    if (LZ4F_isError(written)) {
        out.resize(start);
        return false;
    }
    out.resize(start + written);
    return true;
}

}  // namespace eddy::record::codec
