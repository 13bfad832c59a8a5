// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Encoding and decoding of producer state snapshots (producer_snapshot_format.md).
#include "log/producer_snapshot.h"

#include "record/crc32c.h"
#include "record/endian.h"

namespace eddy::log {
namespace {

namespace be = record::be;

constexpr size_t crc_at = 2;
constexpr size_t entries_at = 6;  // the entry count; the CRC covers from here to the end
// ProducerId 8, Epoch 2, LastSequence 4, LastOffset 8, OffsetDelta 4, Timestamp 8,
// CoordinatorEpoch 4, CurrentTxnFirstOffset 8.
constexpr size_t entry_size = 46;

}  // namespace

std::vector<uint8_t> encode_producer_snapshot(const producer_state& state) {
    const auto& producers = state.producers();
    std::vector<uint8_t> out(entries_at + 4 + producers.size() * entry_size);
    uint8_t* p = out.data();
    be::store16(p, static_cast<uint16_t>(producer_snapshot_version));
    be::store32(p + entries_at, static_cast<uint32_t>(producers.size()));
    p += entries_at + 4;
    for (const auto& [producer_id, e] : producers) {
        // Only the newest batch is kept, as in Kafka's snapshots.
        const bool has_batch = !e.empty();
        be::store64(p, static_cast<uint64_t>(producer_id));
        be::store16(p + 8, static_cast<uint16_t>(e.epoch));
        be::store32(p + 10, static_cast<uint32_t>(has_batch ? e.last().last_seq : -1));
        be::store64(p + 14, static_cast<uint64_t>(has_batch ? e.last().last_offset : -1));
        be::store32(p + 22, static_cast<uint32_t>(has_batch ? e.last().offset_delta : 0));
        be::store64(p + 26, static_cast<uint64_t>(e.last_timestamp));
        be::store32(p + 34, static_cast<uint32_t>(e.coordinator_epoch));
        be::store64(p + 38, static_cast<uint64_t>(e.current_txn_first_offset.value_or(-1)));
        p += entry_size;
    }
    const uint32_t crc = record::crc32c(out.data() + entries_at, out.size() - entries_at);
    be::store32(out.data() + crc_at, crc);
    return out;
}

bool decode_producer_snapshot(std::span<const uint8_t> bytes, producer_state& state,
                              int64_t now_ms) {
    state.clear();
    if (bytes.size() < entries_at + 4) return false;
    const uint8_t* p = bytes.data();
    if (static_cast<int16_t>(be::load16(p)) != producer_snapshot_version) return false;
    if (be::load32(p + crc_at) !=
        record::crc32c(p + entries_at, bytes.size() - entries_at)) {
        return false;
    }
    const uint64_t count = be::load32(p + entries_at);
    if (count > (bytes.size() - entries_at - 4) / entry_size ||
        bytes.size() != entries_at + 4 + count * entry_size) {
        return false;
    }
    p += entries_at + 4;
    for (uint64_t i = 0; i < count; ++i, p += entry_size) {
        const auto producer_id = static_cast<int64_t>(be::load64(p));
        producer_entry e;
        e.epoch = static_cast<int16_t>(be::load16(p + 8));
        e.last_timestamp = static_cast<int64_t>(be::load64(p + 26));
        e.coordinator_epoch = static_cast<int32_t>(be::load32(p + 34));
        const auto txn_first = static_cast<int64_t>(be::load64(p + 38));
        if (txn_first >= 0) e.current_txn_first_offset = txn_first;
        producer_batch b;
        b.last_seq = static_cast<int32_t>(be::load32(p + 10));
        b.last_offset = static_cast<int64_t>(be::load64(p + 14));
        b.offset_delta = static_cast<int32_t>(be::load32(p + 22));
        b.timestamp = e.last_timestamp;
        if (b.last_offset >= 0) e.add_batch_metadata(b);
        if (state.is_expired(e, now_ms)) continue;
        state.restore(producer_id, std::move(e));
    }
    return true;
}

}  // namespace eddy::log
