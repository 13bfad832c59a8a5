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

namespace {

// The crc32 instruction has a latency of three cycles but issues one per cycle, so a
// single dependent chain runs at a third of the unit's speed. Long inputs are cut into
// three lanes whose CRCs run side by side, then joined: the raw CRC register is linear
// over GF(2), so crc(A || B) = zeros(crc(A), |B|) ^ crc0(B), where zeros(x, n) is the
// register after feeding n zero bytes to x and crc0 starts from 0.
constexpr size_t long_lane = 8192;
constexpr size_t short_lane = 256;

// zeros(x, n) for one fixed n, as four byte-indexed tables (the map is linear, so the
// answers for the four bytes of x xor together).
struct zeros_table {
    uint32_t t[4][256];
    uint32_t apply(uint32_t x) const {
        return t[0][x & 0xFF] ^ t[1][(x >> 8) & 0xFF] ^ t[2][(x >> 16) & 0xFF] ^ t[3][x >> 24];
    }
};

__attribute__((target("sse4.2"))) zeros_table make_zeros_table(size_t n) {
    uint32_t basis[32];
    for (int bit = 0; bit < 32; ++bit) {
        uint64_t c = uint32_t{1} << bit;
        for (size_t i = 0; i < n / 8; ++i) c = _mm_crc32_u64(c, 0);
        basis[bit] = static_cast<uint32_t>(c);
    }
    zeros_table z{};
    for (int k = 0; k < 4; ++k) {
        for (uint32_t b = 0; b < 256; ++b) {
            uint32_t v = 0;
            for (int bit = 0; bit < 8; ++bit)
                if (b & (1u << bit)) v ^= basis[8 * k + bit];
            z.t[k][b] = v;
        }
    }
    return z;
}

// Feeds `lanes` three consecutive runs of `lane` bytes at a time (lane % 8 == 0).
__attribute__((target("sse4.2"))) uint64_t three_lanes(uint64_t c, const uint8_t*& p, size_t& n,
                                                       size_t lane, const zeros_table& z) {
    while (n >= 3 * lane) {
        uint64_t c1 = 0;
        uint64_t c2 = 0;
        for (size_t i = 0; i < lane; i += 8) {
            uint64_t a, b, d;
            std::memcpy(&a, p + i, 8);
            std::memcpy(&b, p + lane + i, 8);
            std::memcpy(&d, p + 2 * lane + i, 8);
            c = _mm_crc32_u64(c, a);
            c1 = _mm_crc32_u64(c1, b);
            c2 = _mm_crc32_u64(c2, d);
        }
        c = z.apply(static_cast<uint32_t>(c)) ^ c1;
        c = z.apply(static_cast<uint32_t>(c)) ^ c2;
        p += 3 * lane;
        n -= 3 * lane;
    }
    return c;
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t crc32c_hardware(const uint8_t* p, size_t n,
                                                           uint32_t crc) {
    uint64_t c = ~crc;
    if (n >= 3 * short_lane) {
        static const zeros_table long_zeros = make_zeros_table(long_lane);
        static const zeros_table short_zeros = make_zeros_table(short_lane);
        c = three_lanes(c, p, n, long_lane, long_zeros);
        c = three_lanes(c, p, n, short_lane, short_zeros);
    }
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
    static const auto impl = crc32c_folding_available()    ? &crc32c_folding
                             : crc32c_hardware_available() ? &crc32c_hardware
                                                           : &crc32c_portable;
    return impl(p, n, crc);
}

}  // namespace eddy::record
