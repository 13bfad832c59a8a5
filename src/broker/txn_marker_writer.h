// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Writes one transaction marker into one partition led here, for WriteTxnMarkers and for
// the transaction coordinators hosted on this broker.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "eddy/error_code.h"
#include "record/control_record.h"

namespace eddy::broker {

struct broker_info;

// A data partition gets the control batch (cluster::partition::write_marker); a
// partition of __consumer_offsets gets it through its group coordinator, which then
// commits or drops the producer's pending transactional offsets. `done(error)` runs once,
// on any thread, after the marker is durable or with why it was not written:
// UNKNOWN_TOPIC_OR_PARTITION (no such partition), NOT_LEADER_OR_FOLLOWER (not led here),
// INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED, NOT_COORDINATOR (group shard
// not loaded), KAFKA_STORAGE_ERROR.
void write_txn_marker(const broker_info& broker, const std::string& topic, int32_t partition,
                      const record::txn_marker& marker, std::function<void(error_code)> done);

}  // namespace eddy::broker
