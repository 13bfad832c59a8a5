// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// How many threads the machine runs at once: Eddy's default number of network threads
// (num.network.threads), where Kafka's is a fixed 3.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>

namespace eddy {

// At least 1: the standard lets hardware_concurrency() answer 0 when it cannot tell.
inline size_t hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace eddy
