// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/snapshot_trigger.h"

#include <fmt/format.h>

namespace eddy::metadata {

snapshot_trigger::snapshot_trigger(snapshot_trigger_config config, int64_t now_ms)
    : config_(config), last_snapshot_ms_(now_ms) {}

void snapshot_trigger::reset(int64_t now_ms) {
    bytes_since_last_ = 0;
    last_snapshot_ms_ = now_ms;
}

std::optional<std::string> snapshot_trigger::batch_replayed(uint64_t batch_bytes, int64_t now_ms) {
    bytes_since_last_ += batch_bytes;
    std::optional<std::string> reason;
    if (bytes_since_last_ >= static_cast<uint64_t>(config_.max_bytes_between_snapshots)) {
        reason = fmt::format("at least {} bytes of records were replayed since the last one",
                             config_.max_bytes_between_snapshots);
    } else if (config_.max_interval_ms != 0 &&
               now_ms - last_snapshot_ms_ >= config_.max_interval_ms) {
        reason = fmt::format("at least {} ms passed since the last one", config_.max_interval_ms);
    }
    if (reason) reset(now_ms);
    return reason;
}

}  // namespace eddy::metadata
