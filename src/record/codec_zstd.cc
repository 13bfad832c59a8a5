// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// zstd. Kafka's ZstdCompression uses zstd-jni's streams: the payload is one or more
// zstd frames.
// ZSTD_getFrameHeader and ZSTD_frameHeader are in zstd's static-linking-only section.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "record/compression.h"

namespace eddy::record::codec {
namespace {

struct dctx_deleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_DCtx* thread_dctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, dctx_deleter> ctx(ZSTD_createDCtx());
    return ctx.get();
}

struct cctx_deleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

// The broker compresses every batch of a zstd topic: one context per thread keeps
// zstd's tables allocated between batches.
ZSTD_CCtx* thread_cctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, cctx_deleter> ctx(ZSTD_createCCtx());
    return ctx.get();
}

// A frame may declare a window far bigger than its content; zstd would allocate it.
// Cap the window at the output limit (rounded up to a power of two), but never
// below 8 MiB, so ordinary encoder settings (level 3: 2 MiB and up) always decode,
// nor above zstd's own default cap of 128 MiB.
int window_log_max(size_t limit) {
    int log = 0;
    while (log < 62 && (size_t{1} << log) < limit) ++log;
    return std::clamp(log, 23, 27);
}

// Decodes a single frame in one pass straight into `out`'s storage, when that is
// already allocated: streaming instead decodes each block into zstd's own window
// buffer and copies it out, and librdkafka's frames do not declare their content size,
// which is what would let streaming skip that copy. Only for a frame the streaming path
// would accept too (one frame, window within the cap). nullopt: decide by streaming
// (the output did not fit, or the input is not one well-formed frame).
std::optional<codec_status> unzstd_one_pass(ZSTD_DCtx* d, const uint8_t* in, size_t n,
                                            byte_buffer& out, size_t limit, int window_log) {
    const size_t room = out.room(limit);
    if (room == 0 || ZSTD_findFrameCompressedSize(in, n) != n) return std::nullopt;
    ZSTD_frameHeader header;
    if (ZSTD_getFrameHeader(&header, in, n) != 0 || header.frameType != ZSTD_frame ||
        header.windowSize > (uint64_t{1} << window_log)) {
        return std::nullopt;
    }
    size_t written = ZSTD_decompressDCtx(d, out.data() + out.size(), room, in, n);
    if (ZSTD_isError(written)) return std::nullopt;
    out.set_size(out.size() + written);
    return codec_status::ok;
}

}  // namespace

codec_status unzstd(const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    ZSTD_DCtx* d = thread_dctx();
    if (d == nullptr) return codec_status::corrupt;
    if (n == 0) return codec_status::corrupt;
    const int window_log = window_log_max(limit);
    ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
    if (auto done = unzstd_one_pass(d, in, n, out, limit, window_log)) return *done;
    ZSTD_DCtx_reset(d, ZSTD_reset_session_and_parameters);
    if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, window_log))) {
        return codec_status::corrupt;
    }
    ZSTD_inBuffer src{in, n, 0};
    size_t last = 1;
    for (;;) {
        uint8_t probe;
        bool at_limit = !out.grow(limit);
        size_t consumed_before = src.pos;
        ZSTD_outBuffer dst = at_limit
                                 ? ZSTD_outBuffer{&probe, 1, 0}
                                 : ZSTD_outBuffer{out.data() + out.size(),
                                                  out.room(limit), 0};
        last = ZSTD_decompressStream(d, &dst, &src);
        if (ZSTD_isError(last)) return codec_status::corrupt;
        if (at_limit && dst.pos > 0) return codec_status::too_large;
        if (!at_limit) out.set_size(out.size() + dst.pos);
        // All input used and the last frame ended and flushed (0): done. Otherwise,
        // with room left over, zstd wants input that is not there: truncated.
        if (src.pos == src.size && last == 0) return codec_status::ok;
        if (src.pos == src.size && dst.pos < dst.size) return codec_status::corrupt;
        if (src.pos == consumed_before && dst.pos == 0 && last != 0) return codec_status::corrupt;
    }
}

// zstd's own walk over frame and block headers (ZSTD_findFrameCompressedSize) proves
// each frame whole without decoding it; ZSTD_decompressBound reads the same headers.
framing zstd_framing(const uint8_t* in, size_t n, size_t limit) {
    constexpr framing corrupt{codec_status::corrupt, 0};
    if (n == 0) return corrupt;
    const uint64_t window_max = uint64_t{1} << window_log_max(limit);
    uint64_t bound = 0;
    for (size_t pos = 0; pos < n;) {
        const size_t frame = ZSTD_findFrameCompressedSize(in + pos, n - pos);
        if (ZSTD_isError(frame)) return corrupt;
        ZSTD_frameHeader header;
        if (ZSTD_getFrameHeader(&header, in + pos, frame) != 0) return corrupt;
        // A window unzstd would refuse to allocate.
        if (header.frameType == ZSTD_frame && header.windowSize > window_max) return corrupt;
        const unsigned long long most = ZSTD_decompressBound(in + pos, frame);
        if (most == ZSTD_CONTENTSIZE_ERROR) return corrupt;
        bound = most > UINT64_MAX - bound ? UINT64_MAX : bound + most;
        pos += frame;
    }
    return {codec_status::ok, bound};
}

bool zstd(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
    ZSTD_CCtx* c = thread_cctx();
    if (c == nullptr) return false;
    size_t start = out.size();
    out.resize(start + ZSTD_compressBound(n));
    // One frame with its content size, like zstd-jni's stream; ZSTD_compressCCtx resets
    // every parameter but the level it is given.
    size_t written = ZSTD_compressCCtx(c, out.data() + start, out.size() - start, in, n, level);
    if (ZSTD_isError(written)) {
        out.resize(start);
        return false;
    }
    out.resize(start + written);
    return true;
}

}  // namespace eddy::record::codec
