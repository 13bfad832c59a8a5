// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "txn/txn_records.h"

#include "eddy/codec/reader.h"
#include "eddy/codec/versioned.h"
#include "eddy/msg/transaction_log_key.h"
#include "eddy/msg/transaction_log_value.h"

namespace eddy::txn {
namespace {

using codec::encode_versioned;

std::vector<uint8_t> key_bytes(const std::string& transactional_id) {
    msg::transaction_log_key key;
    key.transactional_id = transactional_id;
    return encode_versioned(0, key);
}

}  // namespace

txn_record txn_metadata_record(const txn_metadata& m, int16_t value_version) {
    msg::transaction_log_value v;
    v.producer_id = m.producer_id;
    v.producer_epoch = m.producer_epoch;
    v.transaction_timeout_ms = m.timeout_ms;
    v.transaction_status = static_cast<int8_t>(m.state);
    // Kafka writes a null partition list for Empty, a (possibly empty) list otherwise.
    if (m.state == txn_state::empty) {
        v.transaction_partitions = std::nullopt;
    } else {
        std::vector<msg::transaction_log_value::partitions_schema> topics;
        for (const auto& tp : m.partitions) {  // sorted, so one entry per topic
            if (topics.empty() || topics.back().topic != tp.topic)
                topics.push_back({tp.topic, {}, {}});
            topics.back().partition_ids.push_back(tp.partition);
        }
        v.transaction_partitions = std::move(topics);
    }
    v.transaction_last_update_timestamp_ms = m.last_update_ms;
    v.transaction_start_timestamp_ms = m.start_ms;
    return {key_bytes(m.transactional_id), encode_versioned(value_version, v)};
}

txn_record txn_tombstone(const std::string& transactional_id) {
    return {key_bytes(transactional_id), std::nullopt};
}

std::optional<txn_record_event> decode_txn_record(std::span<const uint8_t> key,
                                                  std::optional<std::span<const uint8_t>> value) {
    codec::reader kr(key.data(), key.size());
    const int16_t key_version = kr.read_int16();
    msg::transaction_log_key k;
    if (!kr.ok() || key_version != 0 || !k.read(kr, key_version) || !kr.ok()) return std::nullopt;
    txn_record_event event{std::move(k.transactional_id), {}};
    if (!value) return event;

    codec::reader vr(value->data(), value->size());
    const int16_t version = vr.read_int16();
    msg::transaction_log_value v;
    if (!vr.ok() || version < 0 || version > 1 || !v.read(vr, version) || !vr.ok())
        return std::nullopt;
    const auto state = state_from_id(v.transaction_status);
    if (!state) return std::nullopt;
    txn_metadata m;
    m.transactional_id = event.transactional_id;
    m.producer_id = v.producer_id;
    m.producer_epoch = v.producer_epoch;
    m.timeout_ms = v.transaction_timeout_ms;
    m.state = *state;
    if (v.transaction_partitions)
        for (const auto& t : *v.transaction_partitions)
            for (int32_t p : t.partition_ids) m.partitions.insert({t.topic, p});
    m.last_update_ms = v.transaction_last_update_timestamp_ms;
    m.start_ms = v.transaction_start_timestamp_ms;
    event.value = std::move(m);
    return event;
}

}  // namespace eddy::txn
