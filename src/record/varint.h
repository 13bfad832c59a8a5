// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Zig-zag varint/varlong decoding over a bounded cursor (Kafka's ByteUtils), and
// encoding for writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eddy::record::varint {

// Decodes a zig-zag varint (at most 5 bytes). Returns false, leaving p unchanged, if
// the bytes end first or the value does not terminate within 5 bytes.
inline bool read32(const uint8_t*& p, const uint8_t* end, int32_t& out) {
    // Most varints in a record (attributes aside: lengths, deltas) fit in one byte.
    if (p != end && *p < 0x80) {
        const uint32_t b = *p++;
        out = static_cast<int32_t>((b >> 1) ^ (~(b & 1) + 1));
        return true;
    }
    uint32_t v = 0;
    const uint8_t* q = p;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (q == end) return false;
        uint8_t b = *q++;
        v |= static_cast<uint32_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            out = static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
            p = q;
            return true;
        }
    }
    return false;
}

// Decodes a zig-zag varlong (at most 10 bytes).
inline bool read64(const uint8_t*& p, const uint8_t* end, int64_t& out) {
    if (p != end && *p < 0x80) {
        const uint64_t b = *p++;
        out = static_cast<int64_t>((b >> 1) ^ (~(b & 1) + 1));
        return true;
    }
    uint64_t v = 0;
    const uint8_t* q = p;
    for (int shift = 0; shift <= 63; shift += 7) {
        if (q == end) return false;
        uint8_t b = *q++;
        v |= static_cast<uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            out = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
            p = q;
            return true;
        }
    }
    return false;
}

// Encodes a zig-zag varlong (also used for varints); returns bytes written (<= 10).
inline size_t write64(uint8_t* p, int64_t value) {
    uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = static_cast<uint8_t>(v | 0x80);
        v >>= 7;
    }
    p[n++] = static_cast<uint8_t>(v);
    return n;
}

// Appends a zig-zag varlong (also used for varints) to `out`.
inline void append64(std::vector<uint8_t>& out, int64_t value) {
    uint8_t tmp[10];
    const size_t n = write64(tmp, value);
    out.insert(out.end(), tmp, tmp + n);
}

inline size_t size64(int64_t value) {
    uint8_t tmp[10];
    return write64(tmp, value);
}

}  // namespace eddy::record::varint
