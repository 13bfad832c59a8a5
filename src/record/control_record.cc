// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/control_record.h"

#include <array>

#include "record/endian.h"
#include "record/plain_batch.h"
#include "record/records.h"

namespace eddy::record {
namespace {

// The version Kafka writes and the only one it reads for both parts of a marker record.
constexpr int16_t marker_version = 0;
constexpr size_t key_size = 4;    // version, type
constexpr size_t value_size = 6;  // version, coordinator epoch

}  // namespace

std::vector<uint8_t> encode_marker_batch(const txn_marker& marker, int32_t leader_epoch,
                                         int64_t timestamp_ms) {
    std::array<uint8_t, key_size> key{};
    be::store16(key.data(), static_cast<uint16_t>(marker_version));
    be::store16(key.data() + 2, static_cast<uint16_t>(marker.commit ? control_type::commit
                                                                      : control_type::abort));
    std::array<uint8_t, value_size> value{};
    be::store16(value.data(), static_cast<uint16_t>(marker_version));
    be::store32(value.data() + 2, static_cast<uint32_t>(marker.coordinator_epoch));
    plain_batch_header header;
    header.leader_epoch = leader_epoch;
    header.timestamp_ms = timestamp_ms;
    header.control = true;
    header.transactional = true;
    header.producer_id = marker.producer_id;
    header.producer_epoch = marker.producer_epoch;
    const plain_record r{std::span<const uint8_t>(key), std::span<const uint8_t>(value), std::nullopt};
    return encode_plain_batch(header, std::span<const plain_record>(&r, 1));
}

std::optional<txn_marker> read_marker(const batch_view& batch) {
    if (!batch.is_control() || batch.compression_type() != compression::none) return std::nullopt;
    record_reader reader(batch.records_data(), batch.records_size(), batch.records_count());
    record_view r;
    if (reader.next(r) != record_status::ok) return std::nullopt;
    if (r.key.is_null() || static_cast<size_t>(r.key.size) < key_size) return std::nullopt;
    if (static_cast<int16_t>(be::load16(r.key.data)) != marker_version) return std::nullopt;
    const auto type = static_cast<int16_t>(be::load16(r.key.data + 2));
    if (type != static_cast<int16_t>(control_type::abort) &&
        type != static_cast<int16_t>(control_type::commit))
        return std::nullopt;
    txn_marker m;
    m.producer_id = batch.producer_id();
    m.producer_epoch = batch.producer_epoch();
    m.commit = type == static_cast<int16_t>(control_type::commit);
    // Kafka reads the coordinator epoch only from a value it can parse; a marker without
    // one is still a marker.
    if (!r.value.is_null() && static_cast<size_t>(r.value.size) >= value_size)
        m.coordinator_epoch = static_cast<int32_t>(be::load32(r.value.data + 2));
    return m;
}

}  // namespace eddy::record
