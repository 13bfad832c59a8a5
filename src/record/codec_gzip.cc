// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// gzip via zlib. Kafka's GzipCompression wraps java.util.zip.GZIP{In,Out}putStream,
// so the payload is a gzip stream (RFC 1952), not a bare zlib or deflate stream.
#include <zlib.h>

#include <algorithm>

#include "record/compression.h"

namespace eddy::record::codec {
namespace {

constexpr int gzip_window_bits = 15 + 16;  // +16: gzip wrapper only

struct inflater {
    z_stream zs{};
    bool ok = false;
    inflater() { ok = inflateInit2(&zs, gzip_window_bits) == Z_OK; }
    ~inflater() {
        if (ok) inflateEnd(&zs);
    }
};

bool starts_another_member(const z_stream& zs) {
    return zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b;
}

}  // namespace

codec_status gunzip(const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    if (n > UINT32_MAX) return codec_status::corrupt;
    inflater inf;
    if (!inf.ok) return codec_status::corrupt;
    z_stream& zs = inf.zs;
    zs.next_in = const_cast<Bytef*>(in);
    zs.avail_in = static_cast<uInt>(n);
    for (;;) {
        // At the limit, one probe byte tells a stream that is exactly `limit` long
        // from one that would go past it.
        uint8_t probe;
        bool at_limit = !out.grow(limit);
        size_t room = at_limit ? 1 : std::min<size_t>(out.room(limit), UINT32_MAX);
        zs.next_out = at_limit ? &probe : out.data() + out.size();
        zs.avail_out = static_cast<uInt>(room);
        int rc = inflate(&zs, Z_NO_FLUSH);
        size_t produced = room - zs.avail_out;
        if (at_limit && produced > 0) return codec_status::too_large;
        if (!at_limit) out.set_size(out.size() + produced);
        if (rc == Z_STREAM_END) {
            if (!starts_another_member(zs)) return codec_status::ok;
            if (inflateReset(&zs) != Z_OK) return codec_status::corrupt;
            continue;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR && zs.avail_in > 0 && !at_limit) continue;
        // Z_BUF_ERROR with no input left: the stream was cut short.
        return codec_status::corrupt;
    }
}

bool gzip(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
    // Kafka's -1 is java.util.zip's DEFAULT_COMPRESSION, which is zlib's too.
    level = level == default_gzip_level ? Z_DEFAULT_COMPRESSION : std::clamp(level, 0, 9);
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, gzip_window_bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return false;
    }
    size_t start = out.size();
    out.resize(start + deflateBound(&zs, static_cast<uLong>(n)));
    zs.next_in = const_cast<Bytef*>(in);
    zs.avail_in = static_cast<uInt>(n);
    zs.next_out = out.data() + start;
    zs.avail_out = static_cast<uInt>(out.size() - start);
    int rc = deflate(&zs, Z_FINISH);
    out.resize(start + zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END;
}

}  // namespace eddy::record::codec
