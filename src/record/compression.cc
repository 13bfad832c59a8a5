// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/compression.h"

#include <algorithm>
#include <cstring>

namespace eddy::record {

bool byte_buffer::reserve(size_t n, size_t limit) {
    if (n > limit) return false;
    if (n <= capacity_) return true;
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[n]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = n;
    return true;
}

bool byte_buffer::grow(size_t limit) {
    if (size_ >= limit) return false;
    if (size_ < capacity_) return true;
    // Doubling keeps the copies amortised; the first step is big enough for a
    // typical batch so small batches allocate once per buffer lifetime.
    size_t want = std::max<size_t>(capacity_ * 2, 64 * 1024);
    return reserve(std::min(want, limit), limit);
}

void byte_buffer::release_above(size_t keep) {
    if (capacity_ <= keep) return;
    data_.reset();
    size_ = 0;
    capacity_ = 0;
}

std::string_view to_string(codec_status s) {
    switch (s) {
        case codec_status::ok: return "ok";
        case codec_status::corrupt: return "corrupt";
        case codec_status::too_large: return "too_large";
        case codec_status::unsupported: return "unsupported";
    }
    return "unknown";
}

codec_status decompress(compression c, const uint8_t* in, size_t n, byte_buffer& out,
                        size_t limit) {
    out.clear();
    switch (c) {
        case compression::none: return codec_status::unsupported;
        case compression::gzip: return codec::gunzip(in, n, out, limit);
        case compression::snappy: return codec::unsnappy(in, n, out, limit);
        case compression::lz4: return codec::unlz4(in, n, out, limit);
        case compression::zstd: return codec::unzstd(in, n, out, limit);
    }
    return codec_status::unsupported;
}

framing check_framing(compression c, const uint8_t* in, size_t n, size_t limit) {
    switch (c) {
        case compression::lz4: return codec::lz4_framing(in, n);
        case compression::zstd: return codec::zstd_framing(in, n, limit);
        case compression::none:
        case compression::gzip:
        case compression::snappy: break;
    }
    return {codec_status::unsupported, 0};
}

int default_level(compression c) {
    switch (c) {
        case compression::none: return 0;
        case compression::gzip: return default_gzip_level;
        case compression::snappy: return 0;
        case compression::lz4: return default_lz4_level;
        case compression::zstd: return default_zstd_level;
    }
    return 0;
}

bool compress(compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out) {
    return compress(c, in, n, out, default_level(c));
}

bool compress(compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level) {
    switch (c) {
        case compression::none: return false;
        case compression::gzip: return codec::gzip(in, n, out, level);
        case compression::snappy: return codec::snappy_xerial(in, n, out);
        case compression::lz4: return codec::lz4(in, n, out, level);
        case compression::zstd: return codec::zstd(in, n, out, level);
    }
    return false;
}

}  // namespace eddy::record
