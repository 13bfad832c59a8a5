// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The logger of the replica manager and its partitions.
#pragma once

#include "common/logging.h"

namespace eddy::cluster {

inline spdlog::logger& replica_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("replica");
    return *logger;
}

}  // namespace eddy::cluster
