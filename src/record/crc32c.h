// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CRC-32C (Castagnoli), the checksum of a magic-2 record batch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eddy::record {

// CRC-32C of [p, p + n), as Kafka's Crc32C.compute: reflected polynomial 0x82F63B78,
// initial value and final xor 0xFFFFFFFF. `crc` continues an earlier result, so
// crc32c(b, nb, crc32c(a, na)) == crc32c of a followed by b; crc32c("123456789") is
// 0xE3069283. Uses the fastest of the implementations below that the running CPU
// supports (checked once). Thread-safe.
uint32_t crc32c(const uint8_t* p, size_t n, uint32_t crc = 0);

// The portable slicing-by-8 implementation, always available; same results.
uint32_t crc32c_portable(const uint8_t* p, size_t n, uint32_t crc = 0);

// True when crc32c() uses the SSE4.2 instruction on this machine.
bool crc32c_hardware_available();

// The SSE4.2 implementation: inputs of 768 bytes and more run as three interleaved
// lanes joined at the end, which keeps the crc32 unit busy (about 3x one dependent
// chain). Only call it when crc32c_hardware_available().
uint32_t crc32c_hardware(const uint8_t* p, size_t n, uint32_t crc = 0);

// True when the CPU has AVX-512 and VPCLMULQDQ (carry-less multiply on 512-bit
// registers), which crc32c_folding needs.
bool crc32c_folding_available();

// Folds 64-byte blocks with carry-less multiplies (crc32c_fold.cc), several times the
// crc32 instruction's speed on long inputs; under 256 bytes it is crc32c_hardware.
// Only call it when crc32c_folding_available().
uint32_t crc32c_folding(const uint8_t* p, size_t n, uint32_t crc = 0);

}  // namespace eddy::record
