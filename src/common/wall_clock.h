// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The wall clock in Kafka's unit, for record timestamps, expirations and what responses
// report: milliseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace eddy {

inline int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace eddy
