// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/plain_batch.h"

#include <algorithm>

#include "record/endian.h"
#include "record/records.h"
#include "record/varint.h"
#include "record/wrapping.h"

namespace eddy::record {
namespace {

void put_bytes(std::vector<uint8_t>& out, const std::optional<std::span<const uint8_t>>& bytes) {
    if (!bytes) {
        varint::append64(out, -1);
        return;
    }
    varint::append64(out, static_cast<int64_t>(bytes->size()));
    out.insert(out.end(), bytes->begin(), bytes->end());
}

// One record of batch_format.md, its timestamp and offset deltas relative to the batch.
void put_record(std::vector<uint8_t>& out, std::vector<uint8_t>& body, int64_t timestamp_delta,
                int32_t offset_delta, const plain_record& r) {
    body.clear();
    body.push_back(0);  // attributes
    varint::append64(body, timestamp_delta);
    varint::append64(body, offset_delta);
    put_bytes(body, r.key);
    put_bytes(body, r.value);
    varint::append64(body, 0);  // no headers
    varint::append64(out, static_cast<int64_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
}

}  // namespace

std::vector<uint8_t> encode_plain_batch(const plain_batch_header& header,
                                        std::span<const plain_record> records) {
    auto timestamp = [&](const plain_record& r) { return r.timestamp_ms.value_or(header.timestamp_ms); };
    const int64_t base_timestamp = timestamp(records.front());
    int64_t max_timestamp = base_timestamp;
    std::vector<uint8_t> body;
    std::vector<uint8_t> scratch;
    for (size_t i = 0; i < records.size(); ++i) {
        const int64_t ts = timestamp(records[i]);
        max_timestamp = std::max(max_timestamp, ts);
        put_record(body, scratch, wrapping_sub(ts, base_timestamp), static_cast<int32_t>(i), records[i]);
    }
    std::vector<uint8_t> out(batch_header_size, 0);
    uint16_t attributes = static_cast<uint16_t>((header.control ? attr::control : 0) |
                                                (header.transactional ? attr::transactional : 0) |
                                                (header.log_append_time ? attr::timestamp_type : 0));
    if (header.codec != compression::none && compress(header.codec, body.data(), body.size(), out)) {
        attributes = static_cast<uint16_t>(attributes | static_cast<uint16_t>(header.codec));
    } else {
        out.resize(batch_header_size);
        out.insert(out.end(), body.begin(), body.end());
    }
    uint8_t* p = out.data();
    be::store64(p + field::base_offset, static_cast<uint64_t>(header.base_offset));
    be::store32(p + field::batch_length, static_cast<uint32_t>(out.size() - log_overhead));
    be::store32(p + field::partition_leader_epoch, static_cast<uint32_t>(header.leader_epoch));
    p[field::magic] = static_cast<uint8_t>(current_magic);
    be::store16(p + field::attributes, attributes);
    be::store32(p + field::last_offset_delta, static_cast<uint32_t>(records.size() - 1));
    be::store64(p + field::base_timestamp, static_cast<uint64_t>(base_timestamp));
    be::store64(p + field::max_timestamp, static_cast<uint64_t>(max_timestamp));
    be::store64(p + field::producer_id, static_cast<uint64_t>(header.producer_id));
    be::store16(p + field::producer_epoch, static_cast<uint16_t>(header.producer_epoch));
    be::store32(p + field::base_sequence, static_cast<uint32_t>(header.base_sequence));
    be::store32(p + field::records_count, static_cast<uint32_t>(records.size()));
    mutable_batch_view(p, out.size()).update_crc();
    return out;
}

bool for_each_plain_record(const batch_view& batch, byte_buffer& scratch, size_t limit,
                           const plain_record_visitor& each, std::string& error) {
    record_bytes rb = batch_records(batch, scratch, limit);
    if (rb.status != codec_status::ok) {
        error = std::string(to_string(rb.status));
        return false;
    }
    record_reader reader(rb.data, rb.size, batch.records_count());
    record_view rv;
    while (true) {
        record_status st = reader.next(rv);
        if (st == record_status::end) return true;
        if (st == record_status::malformed) {
            error = std::string(reader.reason());
            return false;
        }
        std::optional<std::span<const uint8_t>> key, value;
        if (!rv.key.is_null()) key.emplace(rv.key.data, static_cast<size_t>(rv.key.size));
        if (!rv.value.is_null()) value.emplace(rv.value.data, static_cast<size_t>(rv.value.size));
        each(key, value);
    }
}

}  // namespace eddy::record
