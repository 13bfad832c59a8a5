// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/batch_codec.h"

#include "eddy/codec/writer.h"
#include "record/plain_batch.h"

namespace eddy::raft {

std::vector<uint8_t> encode_batch(const batch_header& header, std::span<const raw_record> records) {
    std::vector<record::plain_record> views;
    views.reserve(records.size());
    for (const raw_record& r : records) {
        record::plain_record v;
        if (r.key) v.key.emplace(*r.key);
        v.value.emplace(r.value);
        views.push_back(v);
    }
    record::plain_batch_header h;
    h.base_offset = header.base_offset;
    h.leader_epoch = header.leader_epoch;
    h.timestamp_ms = header.timestamp_ms;
    h.control = header.control;
    return record::encode_plain_batch(h, views);
}

std::vector<uint8_t> encode_data_batch(const batch_header& header,
                                       std::span<const std::vector<uint8_t>> values) {
    std::vector<raw_record> records;
    records.reserve(values.size());
    for (const auto& v : values) records.push_back({std::nullopt, v});
    return encode_batch(header, records);
}

std::vector<uint8_t> encode_control_batch(const batch_header& header, int16_t type,
                                          std::vector<uint8_t> value) {
    raw_record r;
    // ControlRecordType's key schema: int16 version (0), int16 type.
    r.key = std::vector<uint8_t>{0, 0, static_cast<uint8_t>(static_cast<uint16_t>(type) >> 8),
                                 static_cast<uint8_t>(type & 0xff)};
    r.value = std::move(value);
    batch_header h = header;
    h.control = true;
    return encode_batch(h, std::span(&r, 1));
}

namespace {
template <class Message>
std::vector<uint8_t> message_body(const Message& m, int16_t version) {
    std::vector<uint8_t> out;
    codec::writer w(out);
    m.write(w, version);
    return out;
}
}  // namespace

std::vector<uint8_t> encode_leader_change_batch(const batch_header& header,
                                                const msg::leader_change_message& message) {
    return encode_control_batch(header, control_type_leader_change,
                                message_body(message, leader_change_version));
}

std::vector<uint8_t> encode_snapshot_header_batch(
    const batch_header& header, const msg::snapshot_header_record& header_record) {
    return encode_control_batch(header, control_type_snapshot_header,
                                message_body(header_record, snapshot_header_version));
}

std::vector<uint8_t> encode_snapshot_footer_batch(const batch_header& header) {
    msg::snapshot_footer_record footer;
    footer.version = snapshot_footer_version;
    return encode_control_batch(header, control_type_snapshot_footer,
                                message_body(footer, snapshot_footer_version));
}

std::optional<int16_t> control_record_type(const raw_record& r) {
    if (!r.key || r.key->size() < 4) return std::nullopt;
    const auto& k = *r.key;
    const auto version = static_cast<int16_t>((k[0] << 8) | k[1]);
    if (version < 0) return std::nullopt;
    return static_cast<int16_t>((k[2] << 8) | k[3]);
}

std::optional<decoded_batch> decode_batch(const record::batch_view& batch, std::string& error) {
    decoded_batch out;
    out.base_offset = batch.base_offset();
    out.last_offset = batch.last_offset();
    out.leader_epoch = batch.partition_leader_epoch();
    out.max_timestamp = batch.max_timestamp();
    out.control = batch.is_control();
    record::byte_buffer scratch;
    // A metadata batch is bounded by the log's segment size; this only stops a bomb.
    constexpr size_t max_decompressed = size_t{1} << 30;
    auto keep = [&out](std::optional<std::span<const uint8_t>> key,
                       std::optional<std::span<const uint8_t>> value) {
        raw_record r;
        if (key) r.key.emplace(key->begin(), key->end());
        if (value) r.value.assign(value->begin(), value->end());  // metadata values are never null
        out.records.push_back(std::move(r));
    };
    if (!record::for_each_plain_record(batch, scratch, max_decompressed, keep, error)) return std::nullopt;
    return out;
}

}  // namespace eddy::raft
