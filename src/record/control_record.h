// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Transaction markers: the control batches a partition leader writes when a transaction
// ends (Kafka's EndTransactionMarker). One record whose key is {int16 version 0, int16
// type: 0 ABORT, 1 COMMIT} and whose value is {int16 version 0, int32 coordinator epoch},
// in a batch with the control and transactional bits and the transaction's producer id
// and epoch. Layout: batch_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "record/batch.h"

namespace eddy::record {

// Kafka's ControlRecordType ids.
enum class control_type : int16_t { abort = 0, commit = 1 };

struct txn_marker {
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    int32_t coordinator_epoch = 0;
    bool commit = false;
};

// One control batch holding the marker, base offset 0 (the log assigns it), uncompressed.
std::vector<uint8_t> encode_marker_batch(const txn_marker& marker, int32_t leader_epoch,
                                         int64_t timestamp_ms);

// The marker of a control batch the caller has scanned; nullopt when the batch is not a
// control batch or its first record is not a marker Kafka would write (unknown type or
// version, malformed). Control batches are never compressed by Kafka; a compressed one is
// read as not a marker.
std::optional<txn_marker> read_marker(const batch_view& batch);

}  // namespace eddy::record
