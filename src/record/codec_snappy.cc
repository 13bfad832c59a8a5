// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// snappy. The Java client writes snappy-java's SnappyOutputStream ("xerial")
// framing; librdkafka may send one raw block. Kafka's broker reads both because
// snappy-java's SnappyInputStream falls back to a raw block when the magic header is
// absent, so Eddy accepts both too.
#include <snappy.h>

#include <algorithm>
#include <cstring>

#include "record/compression.h"
#include "record/endian.h"

namespace eddy::record::codec {
namespace {

// 0x82 "SNAPPY" 0x00, then int32 version and int32 minimum compatible version.
constexpr uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;
// The block size snappy-java's SnappyOutputStream uses by default (32 KiB).
constexpr size_t xerial_block_size = 32 * 1024;

bool has_xerial_header(const uint8_t* in, size_t n) {
    return n >= xerial_header_size && std::memcmp(in, xerial_magic, sizeof xerial_magic) == 0;
}

// Appends one raw snappy block to `out`, checking its declared size against the
// limit before any allocation.
codec_status append_raw(const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    size_t len = 0;
    if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(in), n, &len)) {
        return codec_status::corrupt;
    }
    if (len > limit - out.size()) return codec_status::too_large;
    if (!out.reserve(out.size() + len, limit)) return codec_status::too_large;
    if (!snappy::RawUncompress(reinterpret_cast<const char*>(in), n,
                               reinterpret_cast<char*>(out.data() + out.size()))) {
        return codec_status::corrupt;
    }
    out.set_size(out.size() + len);
    return codec_status::ok;
}

}  // namespace

codec_status unsnappy(const uint8_t* in, size_t n, byte_buffer& out, size_t limit) {
    if (!has_xerial_header(in, n)) {
        // snappy-java rejects an empty stream outright.
        if (n == 0) return codec_status::corrupt;
        return append_raw(in, n, out, limit);
    }
    // snappy-java refuses streams whose compatible version is below 1.
    if (static_cast<int32_t>(be::load32(in + 12)) < 1) return codec_status::corrupt;
    size_t pos = xerial_header_size;
    while (pos < n) {
        if (n - pos < 4) return codec_status::corrupt;
        size_t chunk = be::load32(in + pos);
        pos += 4;
        if (chunk > n - pos) return codec_status::corrupt;
        codec_status s = append_raw(in + pos, chunk, out, limit);
        if (s != codec_status::ok) return s;
        pos += chunk;
    }
    return codec_status::ok;
}

bool snappy_raw(const uint8_t* in, size_t n, std::vector<uint8_t>& out) {
    size_t start = out.size();
    out.resize(start + snappy::MaxCompressedLength(n));
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(in), n,
                        reinterpret_cast<char*>(out.data() + start), &written);
    out.resize(start + written);
    return true;
}

bool snappy_xerial(const uint8_t* in, size_t n, std::vector<uint8_t>& out) {
    out.insert(out.end(), xerial_magic, xerial_magic + sizeof xerial_magic);
    uint8_t versions[8];
    be::store32(versions, 1);
    be::store32(versions + 4, 1);
    out.insert(out.end(), versions, versions + 8);
    for (size_t pos = 0; pos < n; pos += xerial_block_size) {
        size_t len = std::min(xerial_block_size, n - pos);
        size_t at = out.size();
        out.resize(at + 4);
        snappy_raw(in + pos, len, out);
        be::store32(out.data() + at, static_cast<uint32_t>(out.size() - at - 4));
    }
    return true;
}

}  // namespace eddy::record::codec
