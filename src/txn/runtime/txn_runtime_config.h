// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker settings of the transaction coordinator and of __transaction_state, with
// Kafka's names and defaults (the server fills them from config::broker_config).
#pragma once

#include <cstdint>

#include "txn/txn_coordinator_shard.h"

namespace eddy::txn {

struct txn_runtime_config {
    // transaction.max.timeout.ms, transactional.id.expiration.ms and the two cleanup
    // intervals.
    txn_config coordinator;
    int32_t num_partitions = 50;             // transaction.state.log.num.partitions
    int16_t replication_factor = 3;          // transaction.state.log.replication.factor
    int32_t min_isr = 2;                     // transaction.state.log.min.isr
    int32_t segment_bytes = 104857600;       // transaction.state.log.segment.bytes
    int32_t load_buffer_size = 5242880;      // transaction.state.log.load.buffer.size
    // The wait before a marker that failed with a retriable error is written again (Kafka
    // re-enqueues it for its sender thread, which retries after its backoff).
    int64_t marker_retry_backoff_ms = 100;
};

}  // namespace eddy::txn
