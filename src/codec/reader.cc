// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "eddy/codec/reader.h"

namespace eddy::codec {

uint32_t reader::read_uvarint() {
    uint32_t value = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (!take(1)) return 0;
        uint8_t b = p_[-1];
        // The fifth byte may carry only the top four bits of a 32-bit value.
        if (shift == 28 && (b & 0xf0) != 0) break;
        value |= static_cast<uint32_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
    }
    fail();
    return 0;
}

int64_t reader::read_varlong() {
    uint64_t value = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
        if (!take(1)) return 0;
        uint8_t b = p_[-1];
        if (shift == 63 && (b & 0xfe) != 0) break;
        value |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
    }
    fail();
    return 0;
}

namespace {
// Compact lengths are stored as length + 1, so 0 means null.
int32_t compact_length(reader& r) {
    uint32_t n = r.read_uvarint();
    if (n > 0x7fffffffu) {
        r.fail();
        return 0;
    }
    return static_cast<int32_t>(n) - 1;
}
}  // namespace

int32_t reader::read_string_length(bool flexible) {
    int32_t len = flexible ? compact_length(*this) : read_int16();
    if (!ok_ || len < -1 || (len > 0 && static_cast<size_t>(len) > remaining())) {
        fail();
        return 0;
    }
    return len;
}

int32_t reader::read_bytes_length(bool flexible) {
    int32_t len = flexible ? compact_length(*this) : read_int32();
    if (!ok_ || len < -1 || (len > 0 && static_cast<size_t>(len) > remaining())) {
        fail();
        return 0;
    }
    return len;
}

int32_t reader::read_array_length(bool flexible) { return read_bytes_length(flexible); }

}  // namespace eddy::codec
