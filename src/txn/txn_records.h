// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The records of __transaction_state in Kafka's formats (records_format.md): encoding for
// the shard, decoding for replay.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "txn/txn_metadata.h"

namespace eddy::txn {

// One record of __transaction_state: the key and the value each begin with their int16
// schema version. A null value is a tombstone (the transactional id expired).
struct txn_record {
    std::vector<uint8_t> key;
    std::optional<std::vector<uint8_t>> value;
};

// TransactionLogValue v0 (what Kafka 3.9 writes until transaction.version 1 is enabled)
// or v1 (flexible).
txn_record txn_metadata_record(const txn_metadata& metadata, int16_t value_version = 0);
txn_record txn_tombstone(const std::string& transactional_id);

// A decoded record: the metadata it carries, or none for a tombstone. Decoded metadata
// has no last producer id or epoch (the log does not hold them).
struct txn_record_event {
    std::string transactional_id;
    std::optional<txn_metadata> value;
};

// nullopt when the bytes do not parse, name a version Kafka never wrote, or carry an
// unknown status byte.
std::optional<txn_record_event> decode_txn_record(std::span<const uint8_t> key,
                                                  std::optional<std::span<const uint8_t>> value);

}  // namespace eddy::txn
