// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The network layer's logger, "kafka.wire".
#pragma once

#include "common/logging.h"

namespace eddy::net {

inline spdlog::logger& wire_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("kafka.wire");
    return *logger;
}

}  // namespace eddy::net
