// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker's logger, "kafka": request routing and handlers.
#pragma once

#include "common/logging.h"

namespace eddy::broker {

inline spdlog::logger& kafka_log() {
    static const std::shared_ptr<spdlog::logger> logger = get_logger("kafka");
    return *logger;
}

}  // namespace eddy::broker
