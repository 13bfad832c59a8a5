// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What the runtime tests share: a coordinator runtime over the fixture's replica manager.
#pragma once

#include "cluster_fixture.h"
#include "group/runtime/coordinator_runtime.h"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <thread>

namespace eddy::group::test {

// Not owned: the fixture outlives every runtime of a test.
inline std::shared_ptr<cluster::replica_manager> borrow(cluster::replica_manager& rm) {
    return std::shared_ptr<cluster::replica_manager>(&rm, [](cluster::replica_manager*) {});
}

inline void wait_loaded(const coordinator_runtime& rt, int32_t partition) {
    // Loading happens on the partition's strand; bounded only against a hang.
    for (int i = 0; i < 5000 && !rt.is_loaded(partition); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(rt.is_loaded(partition));
}

}  // namespace eddy::group::test
