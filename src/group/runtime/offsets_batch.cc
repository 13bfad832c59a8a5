// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/offsets_batch.h"

#include "record/endian.h"
#include "record/records.h"
#include "record/varint.h"

namespace eddy::group {
namespace {

void put_varint(std::vector<uint8_t>& out, int64_t v) {
    uint8_t tmp[10];
    size_t n = record::varint::write64(tmp, v);
    out.insert(out.end(), tmp, tmp + n);
}

void put_bytes(std::vector<uint8_t>& out, const std::vector<uint8_t>* bytes) {
    if (bytes == nullptr) {
        put_varint(out, -1);
        return;
    }
    put_varint(out, static_cast<int64_t>(bytes->size()));
    out.insert(out.end(), bytes->begin(), bytes->end());
}

// One record of src/record/batch_format.md: every record has the batch's timestamp.
void put_record(std::vector<uint8_t>& out, int32_t offset_delta, const coordinator_record& r) {
    std::vector<uint8_t> body;
    body.push_back(0);    // attributes
    put_varint(body, 0);  // timestamp delta
    put_varint(body, offset_delta);
    put_bytes(body, &r.key);
    put_bytes(body, r.value ? &*r.value : nullptr);
    put_varint(body, 0);  // no headers
    put_varint(out, static_cast<int64_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
}

// A decompressed batch of a few MB is far beyond what a coordinator writes; the bound
// only keeps a corrupt log from exhausting memory.
constexpr size_t max_records_bytes = 256u << 20;

}  // namespace

std::vector<uint8_t> encode_offsets_batch(std::span<const coordinator_record> records,
                                          int32_t leader_epoch, int64_t now_ms,
                                          record::compression codec) {
    std::vector<uint8_t> body;
    for (size_t i = 0; i < records.size(); ++i)
        put_record(body, static_cast<int32_t>(i), records[i]);
    std::vector<uint8_t> out(record::batch_header_size, 0);
    int16_t attributes = 0;
    if (codec != record::compression::none &&
        record::compress(codec, body.data(), body.size(), out)) {
        attributes = static_cast<int16_t>(codec);
    } else {
        out.resize(record::batch_header_size);
        out.insert(out.end(), body.begin(), body.end());
    }
    uint8_t* p = out.data();
    namespace f = record::field;
    record::be::store64(p + f::base_offset, 0);
    record::be::store32(p + f::batch_length, static_cast<uint32_t>(out.size() - record::log_overhead));
    record::be::store32(p + f::partition_leader_epoch, static_cast<uint32_t>(leader_epoch));
    p[f::magic] = static_cast<uint8_t>(record::current_magic);
    record::be::store16(p + f::attributes, static_cast<uint16_t>(attributes));
    record::be::store32(p + f::last_offset_delta, static_cast<uint32_t>(records.size() - 1));
    record::be::store64(p + f::base_timestamp, static_cast<uint64_t>(now_ms));
    record::be::store64(p + f::max_timestamp, static_cast<uint64_t>(now_ms));
    record::be::store64(p + f::producer_id, static_cast<uint64_t>(record::no_producer_id));
    record::be::store16(p + f::producer_epoch, static_cast<uint16_t>(record::no_producer_epoch));
    record::be::store32(p + f::base_sequence, static_cast<uint32_t>(record::no_sequence));
    record::be::store32(p + f::records_count, static_cast<uint32_t>(records.size()));
    record::mutable_batch_view(p, out.size()).update_crc();
    return out;
}

bool read_offsets_batch(const record::batch_view& batch, record::byte_buffer& scratch,
                        const record_visitor& each, std::string& error) {
    record::record_bytes rb = record::batch_records(batch, scratch, max_records_bytes);
    if (rb.status != record::codec_status::ok) {
        error = std::string(record::to_string(rb.status));
        return false;
    }
    record::record_reader reader(rb.data, rb.size, batch.records_count());
    record::record_view rv;
    while (true) {
        record::record_status st = reader.next(rv);
        if (st == record::record_status::end) return true;
        if (st == record::record_status::malformed) {
            error = std::string(reader.reason());
            return false;
        }
        if (rv.key.is_null()) continue;
        std::span<const uint8_t> key(rv.key.data, static_cast<size_t>(rv.key.size));
        std::optional<std::span<const uint8_t>> value;
        if (!rv.value.is_null()) value.emplace(rv.value.data, static_cast<size_t>(rv.value.size));
        each(key, value);
    }
}

}  // namespace eddy::group
