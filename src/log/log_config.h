// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The per-topic settings a partition log obeys, with Kafka's names and defaults.
#pragma once

#include <cstdint>
#include <limits>

namespace eddy::log {

struct log_config {
    uint64_t segment_bytes = 1073741824;      // segment.bytes (1 GiB)
    int64_t segment_ms = 604800000;           // segment.ms (7 days)
    int64_t segment_jitter_ms = 0;            // segment.jitter.ms
    uint32_t index_interval_bytes = 4096;     // index.interval.bytes
    uint32_t segment_index_bytes = 10485760;  // segment.index.bytes (10 MiB)
    // Reserve a new segment's disk blocks, segment.bytes of them, when it is created (the
    // unused ones are given back when it rolls): src/log/segment_format.md.
    bool preallocate = false;  // preallocate
    // fsync policy (the only place it is decided): after this many messages since the
    // last flush, and after this long since the last flush. Kafka's defaults are "never":
    // durability comes from the page cache (survives kill -9) and replication; a segment
    // is still fsynced when it is rolled and when the log is closed.
    int64_t flush_messages = std::numeric_limits<int64_t>::max();  // flush.messages
    int64_t flush_ms = std::numeric_limits<int64_t>::max();        // flush.ms
    // A broker setting: how long an idempotent producer's state outlives its last batch.
    int64_t producer_id_expiration_ms = 86400000;  // producer.id.expiration.ms (1 day)
    // A broker setting: a client's first transactional batch of a transaction is appended
    // only once the transaction coordinator has confirmed the partition is in it (KIP-890).
    bool transaction_verification = true;  // transaction.partition.verification.enable
};

}  // namespace eddy::log
