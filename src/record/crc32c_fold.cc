// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
//
// CRC-32C by carry-less multiplication (VPCLMULQDQ on 512-bit registers). The crc32
// instruction takes 8 bytes a cycle at best; folding 64-byte blocks with carry-less
// multiplies takes several times that, which matters because every produced byte is
// checked once.
//
// Why folding works: the CRC of a message depends only on the message, as a polynomial
// over GF(2), modulo the CRC polynomial P, and on its length. So a 16-byte chunk A that
// sits D bits before a chunk B can be replaced by any 128-bit A' with
// A' == A * x^D (mod P), xored into B: the message keeps its length and its residue.
// In the bit-reflected order of CRC-32C, a 16-byte little-endian chunk is
// A = L * x^64 + H, where L is its first 8 bytes and H its last 8, and bit j of a
// 64-bit half is the coefficient of x^(63 - j). A carry-less multiply of two such
// reflected halves, read as a reflected 128-bit value, is their product times x. Hence
//   A' = clmul(L, x^(D + 63) mod P) ^ clmul(H, x^(D - 1) mod P),
// whose degree stays below 96. After the last fold the one remaining 64-byte block and
// the tail shorter than 64 bytes go through the crc32 instruction, starting from a zero
// register: the initial register was xored into the message's first four bytes, which
// is what the instruction itself does with a register.
#include "record/crc32c.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define EDDY_CRC32C_FOLD 1
#endif

namespace eddy::record {

#ifdef EDDY_CRC32C_FOLD

namespace {

// x^n mod P in the normal bit order (bit d is the coefficient of x^d), P = 0x1EDC6F41.
constexpr uint64_t x_pow_mod_p(unsigned n) {
    uint64_t r = 1;
    for (unsigned i = 0; i < n; ++i) {
        r <<= 1;
        if (r & (uint64_t{1} << 32)) r ^= (uint64_t{1} << 32) | 0x1EDC6F41u;
    }
    return r;
}

// A polynomial of degree < 32 as a reflected 64-bit half: x^d at bit 63 - d.
constexpr uint64_t reflect64(uint64_t v) {
    uint64_t r = 0;
    for (int d = 0; d < 32; ++d)
        if (v & (uint64_t{1} << d)) r |= uint64_t{1} << (63 - d);
    return r;
}

struct fold_constants {
    uint64_t first_half;   // multiplies L, the chunk's first 8 bytes
    uint64_t second_half;  // multiplies H, its last 8 bytes
};

constexpr fold_constants constants_for(unsigned distance_bits) {
    return {reflect64(x_pow_mod_p(distance_bits + 63)), reflect64(x_pow_mod_p(distance_bits - 1))};
}

constexpr fold_constants fold_256_bytes = constants_for(256 * 8);
constexpr fold_constants fold_64_bytes = constants_for(64 * 8);

#define EDDY_FOLD_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,sse4.2")))

EDDY_FOLD_TARGET inline __m512i broadcast(fold_constants k) {
    // Every 128-bit lane holds the pair; set_epi64 lists qwords from the highest down.
    const auto lo = static_cast<long long>(k.first_half);
    const auto hi = static_cast<long long>(k.second_half);
    return _mm512_set_epi64(hi, lo, hi, lo, hi, lo, hi, lo);
}

// Each 128-bit lane of `acc`, moved forward by the distance `k` was made for, xored into
// the same lane of `next` (0x96 is the three-way xor).
EDDY_FOLD_TARGET inline __m512i fold(__m512i acc, __m512i k, __m512i next) {
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(acc, k, 0x00),
                                     _mm512_clmulepi64_epi128(acc, k, 0x11), next, 0x96);
}

EDDY_FOLD_TARGET inline __m512i load(const uint8_t* p) { return _mm512_loadu_si512(p); }

}  // namespace

EDDY_FOLD_TARGET uint32_t crc32c_folding(const uint8_t* p, size_t n, uint32_t crc) {
    if (n < 256) return crc32c_hardware(p, n, crc);
    // Four accumulators of 64 bytes, each folded 256 bytes forward per step, so the
    // multiplies of one step do not wait on each other.
    __m512i a0 = _mm512_xor_si512(
        load(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(~crc))));
    __m512i a1 = load(p + 64);
    __m512i a2 = load(p + 128);
    __m512i a3 = load(p + 192);
    p += 256;
    n -= 256;
    const __m512i k256 = broadcast(fold_256_bytes);
    while (n >= 256) {
        a0 = fold(a0, k256, load(p));
        a1 = fold(a1, k256, load(p + 64));
        a2 = fold(a2, k256, load(p + 128));
        a3 = fold(a3, k256, load(p + 192));
        p += 256;
        n -= 256;
    }
    const __m512i k64 = broadcast(fold_64_bytes);
    a1 = fold(a0, k64, a1);
    a2 = fold(a1, k64, a2);
    a3 = fold(a2, k64, a3);
    while (n >= 64) {
        a3 = fold(a3, k64, load(p));
        p += 64;
        n -= 64;
    }
    alignas(64) uint8_t last[64];
    _mm512_store_si512(last, a3);
    uint64_t c = 0;
    for (size_t i = 0; i < 64; i += 8) {
        uint64_t v;
        std::memcpy(&v, last + i, 8);
        c = _mm_crc32_u64(c, v);
    }
    // The tail (under 64 bytes) continues from that register.
    return crc32c_hardware(p, n, ~static_cast<uint32_t>(c));
}

bool crc32c_folding_available() {
    static const bool available =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("sse4.2");
    return available;
}

#else

uint32_t crc32c_folding(const uint8_t* p, size_t n, uint32_t crc) {
    return crc32c_hardware(p, n, crc);
}

bool crc32c_folding_available() { return false; }

#endif

}  // namespace eddy::record
