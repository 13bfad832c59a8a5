// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// When to write the next metadata snapshot: the counters of Kafka's SnapshotGenerator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace eddy::metadata {

struct snapshot_trigger_config {
    // metadata.log.max.record.bytes.between.snapshots (Kafka's default, 20 MiB; at least 1).
    int64_t max_bytes_between_snapshots = 20971520;
    // metadata.log.max.snapshot.interval.ms (Kafka's default, one hour; 0 disables).
    int64_t max_interval_ms = 3600000;
};

// Counts the bytes of the committed batches replayed since the last snapshot (or since the
// snapshot the state was loaded from) and the time since then. Time alone never fires: it is
// checked when a batch arrives, so an idle log gets no new snapshot, as in Kafka.
// Deterministic: time comes in as now_ms. Lives on: the thread that replays the log.
class snapshot_trigger {
public:
    snapshot_trigger(snapshot_trigger_config config, int64_t now_ms);

    // A snapshot was loaded or written: the counts start again.
    void reset(int64_t now_ms);

    // A committed batch of `batch_bytes` was replayed. Returns why a snapshot is due now,
    // or nullopt; when one is due the counts start again (Kafka's scheduleEmit).
    std::optional<std::string> batch_replayed(uint64_t batch_bytes, int64_t now_ms);

    const snapshot_trigger_config& config() const { return config_; }

private:
    snapshot_trigger_config config_;
    uint64_t bytes_since_last_ = 0;
    int64_t last_snapshot_ms_ = 0;
};

}  // namespace eddy::metadata
