// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#pragma once

#include <cstdint>

namespace eddy::broker {

// An inclusive range of api versions a handler serves.
struct version_range {
    int16_t min = 0;
    int16_t max = -1;
    constexpr bool contains(int16_t v) const { return v >= min && v <= max; }
};

}  // namespace eddy::broker
