// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Java's long arithmetic, which wraps on overflow: Kafka's timestamp checks and the
// timestamp deltas of its batches rely on it for absurd timestamps, so Eddy's must too
// (signed overflow in C++ would be undefined instead).
#pragma once

#include <cstdint>

namespace eddy::record {

inline int64_t wrapping_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

inline int64_t wrapping_sub(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace eddy::record
