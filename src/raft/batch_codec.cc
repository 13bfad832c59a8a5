// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/batch_codec.h"

#include "eddy/codec/writer.h"
#include "record/compression.h"
#include "record/endian.h"
#include "record/records.h"
#include "record/varint.h"

namespace eddy::raft {
namespace {

void put_varint(std::vector<uint8_t>& out, int64_t v) {
    uint8_t tmp[10];
    size_t n = record::varint::write64(tmp, v);
    out.insert(out.end(), tmp, tmp + n);
}

void put_record(std::vector<uint8_t>& out, int32_t offset_delta, const raw_record& r) {
    std::vector<uint8_t> body;
    body.push_back(0);    // attributes
    put_varint(body, 0);  // timestamp delta: every record has the batch's timestamp
    put_varint(body, offset_delta);
    if (r.key) {
        put_varint(body, static_cast<int64_t>(r.key->size()));
        body.insert(body.end(), r.key->begin(), r.key->end());
    } else {
        put_varint(body, -1);
    }
    put_varint(body, static_cast<int64_t>(r.value.size()));
    body.insert(body.end(), r.value.begin(), r.value.end());
    put_varint(body, 0);  // no headers
    put_varint(out, static_cast<int64_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
}

// Every record of the decoded records section, in order.
bool read_records(const uint8_t* data, size_t size, int32_t count, std::vector<raw_record>& out,
                  std::string& error) {
    record::record_reader reader(data, size, count);
    record::record_view rv;
    while (true) {
        record::record_status st = reader.next(rv);
        if (st == record::record_status::end) return true;
        if (st == record::record_status::malformed) {
            error = std::string(reader.reason());
            return false;
        }
        raw_record r;
        if (!rv.key.is_null()) r.key.emplace(rv.key.data, rv.key.data + rv.key.size);
        if (!rv.value.is_null()) r.value.assign(rv.value.data, rv.value.data + rv.value.size);
        out.push_back(std::move(r));
    }
}

}  // namespace

std::vector<uint8_t> encode_batch(const batch_header& header, std::span<const raw_record> records) {
    std::vector<uint8_t> out(record::batch_header_size, 0);
    for (size_t i = 0; i < records.size(); ++i)
        put_record(out, static_cast<int32_t>(i), records[i]);
    uint8_t* p = out.data();
    namespace f = record::field;
    record::be::store64(p + f::base_offset, static_cast<uint64_t>(header.base_offset));
    record::be::store32(p + f::batch_length,
                        static_cast<uint32_t>(out.size() - record::log_overhead));
    record::be::store32(p + f::partition_leader_epoch, static_cast<uint32_t>(header.leader_epoch));
    p[f::magic] = static_cast<uint8_t>(record::current_magic);
    record::be::store16(p + f::attributes, header.control ? record::attr::control : 0);
    record::be::store32(p + f::last_offset_delta, static_cast<uint32_t>(records.size() - 1));
    record::be::store64(p + f::base_timestamp, static_cast<uint64_t>(header.timestamp_ms));
    record::be::store64(p + f::max_timestamp, static_cast<uint64_t>(header.timestamp_ms));
    record::be::store64(p + f::producer_id, static_cast<uint64_t>(record::no_producer_id));
    record::be::store16(p + f::producer_epoch, static_cast<uint16_t>(record::no_producer_epoch));
    record::be::store32(p + f::base_sequence, static_cast<uint32_t>(record::no_sequence));
    record::be::store32(p + f::records_count, static_cast<uint32_t>(records.size()));
    record::mutable_batch_view(p, out.size()).update_crc();
    return out;
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
    record::record_bytes bytes = record::batch_records(batch, scratch, max_decompressed);
    if (bytes.status != record::codec_status::ok) {
        error = std::string(record::to_string(bytes.status));
        return std::nullopt;
    }
    if (!read_records(bytes.data, bytes.size, batch.records_count(), out.records, error))
        return std::nullopt;
    return out;
}

}  // namespace eddy::raft
