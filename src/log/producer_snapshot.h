// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Producer state snapshots in Kafka's format (`<20-digit offset>.snapshot` beside the
// segments; layout in producer_snapshot_format.md), so a restart reads the state instead
// of rescanning the whole log.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "log/producer_state.h"

namespace eddy::log {

// Kafka's ProducerSnapshot version 1.
inline constexpr int16_t producer_snapshot_version = 1;

// The whole file: version, CRC-32C of the rest, then one entry per producer.
std::vector<uint8_t> encode_producer_snapshot(const producer_state& state);

// Restores the producers of a snapshot into `state` (after clear()), skipping those
// already expired at now_ms, as Kafka's loader does. False (state left empty) when the
// version is unknown, the CRC does not match or the entries do not fill the file exactly.
bool decode_producer_snapshot(std::span<const uint8_t> bytes, producer_state& state,
                              int64_t now_ms);

}  // namespace eddy::log
