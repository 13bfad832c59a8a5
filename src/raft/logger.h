// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The quorum's logger, "raft": elections, the metadata log and its snapshots.
#pragma once

#include "common/logging.h"

namespace eddy::raft {

inline spdlog::logger& raft_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("raft");
    return *logger;
}

}  // namespace eddy::raft
