// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define EDDY_CRC32C_X86 1
#endif

namespace eddy::record {
namespace {

constexpr uint32_t poly = 0x82F63B78u;  // Castagnoli, bit-reflected

// table[k][b] is the CRC of byte b followed by k zero bytes; eight tables let the
// portable loop fold 8 input bytes per step (slicing-by-8).
using tables_t = std::array<std::array<uint32_t, 256>, 8>;

constexpr tables_t make_tables() {
    tables_t t{};
    for (uint32_t b = 0; b < 256; ++b) {
        uint32_t c = b;
        for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        t[0][b] = c;
    }
    for (size_t k = 1; k < 8; ++k) {
        for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
    }
    return t;
}

constexpr tables_t tables = make_tables();

inline uint64_t load_le64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

}  // namespace

uint32_t crc32c_portable(const uint8_t* p, size_t n, uint32_t crc) {
    uint32_t c = ~crc;
    while (n >= 8) {
        uint64_t v = load_le64(p) ^ c;
        c = tables[7][v & 0xFF] ^ tables[6][(v >> 8) & 0xFF] ^ tables[5][(v >> 16) & 0xFF] ^
            tables[4][(v >> 24) & 0xFF] ^ tables[3][(v >> 32) & 0xFF] ^
            tables[2][(v >> 40) & 0xFF] ^ tables[1][(v >> 48) & 0xFF] ^ tables[0][v >> 56];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xFF];
    return ~c;
}

#ifdef EDDY_CRC32C_X86

__attribute__((target("sse4.2"))) uint32_t crc32c_hardware(const uint8_t* p, size_t n,
                                                           uint32_t crc) {
    uint64_t c = ~crc;
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}

bool crc32c_hardware_available() {
    static const bool available = __builtin_cpu_supports("sse4.2");
    return available;
}

#else

uint32_t crc32c_hardware(const uint8_t* p, size_t n, uint32_t crc) {
    return crc32c_portable(p, n, crc);
}

bool crc32c_hardware_available() { return false; }

#endif

uint32_t crc32c(const uint8_t* p, size_t n, uint32_t crc) {
    // The choice is made once; the static's guard is a single load afterwards.
    static const auto impl = crc32c_hardware_available() ? &crc32c_hardware : &crc32c_portable;
    return impl(p, n, crc);
}

}  // namespace eddy::record
