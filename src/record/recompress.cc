// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Why a broker recompresses at all: a topic's compression.type (KIP-390 levels
// included) lets the operator store data in one codec whatever each producer chose,
// trading broker CPU for disk and fetch bandwidth. Kafka does this in LogValidator after
// every record passed validation; Eddy does it at the same point (partition::append),
// from the records validation already decompressed.
#include "record/recompress.h"

#include "record/endian.h"
#include "record/varint.h"
#include "record/wrapping.h"

namespace eddy::record {
namespace {

void put_bytes(std::vector<uint8_t>& out, const bytes_view& b) {
    varint::append64(out, b.size);
    if (!b.is_null()) out.insert(out.end(), b.data, b.data + b.size);
}

size_t bytes_size(const bytes_view& b) {
    return varint::size64(b.size) + (b.is_null() ? 0 : static_cast<size_t>(b.size));
}

// What MemoryRecordsBuilder changes in the records: the timestamp deltas are taken from
// the first record's timestamp, and record attributes are written as 0. True when the
// records are already so (the usual case: clients write them that way).
bool records_unchanged(const record_bytes& records, int32_t count, int64_t& first_delta) {
    record_reader reader(records.data, records.size, count);
    record_view rec;
    bool unchanged = true;
    for (int32_t i = 0; reader.next(rec) == record_status::ok; ++i) {
        if (i == 0) first_delta = rec.timestamp_delta;
        if (rec.attributes != 0) unchanged = false;
    }
    return unchanged && first_delta == 0;
}

// Writes the records again with timestamp deltas from `first_delta` and attributes 0.
void reencode(const record_bytes& records, int32_t count, int64_t first_delta,
              std::vector<uint8_t>& out) {
    out.clear();
    out.reserve(records.size + static_cast<size_t>(count));
    record_reader reader(records.data, records.size, count);
    record_view rec;
    while (reader.next(rec) == record_status::ok) {
        const int64_t delta = wrapping_sub(rec.timestamp_delta, first_delta);
        const size_t body = 1 + varint::size64(delta) + varint::size64(rec.offset_delta) +
                            bytes_size(rec.key) + bytes_size(rec.value) +
                            varint::size64(rec.header_count) + rec.headers_size;
        varint::append64(out, static_cast<int64_t>(body));
        out.push_back(0);  // attributes
        varint::append64(out, delta);
        varint::append64(out, rec.offset_delta);
        put_bytes(out, rec.key);
        put_bytes(out, rec.value);
        varint::append64(out, rec.header_count);
        out.insert(out.end(), rec.headers_data, rec.headers_data + rec.headers_size);
    }
}

}  // namespace

std::span<uint8_t> batch_recompressor::rebuild(const batch_view& batch, record_bytes records,
                                               compression target, int level) {
    int64_t first_delta = 0;
    if (!records_unchanged(records, batch.records_count(), first_delta)) {
        reencode(records, batch.records_count(), first_delta, reencoded_);
        records = {codec_status::ok, reencoded_.data(), reencoded_.size()};
    }
    out_.assign(batch.data(), batch.data() + batch_header_size);
    if (target == compression::none) {
        out_.insert(out_.end(), records.data, records.data + records.size);
    } else if (!compress(target, records.data, records.size, out_, level)) {
        return {};
    }
    uint8_t* p = out_.data();
    // Kept from the batch: base offset, partition leader epoch, magic, last offset delta,
    // max timestamp, producer id, epoch, base sequence, record count.
    be::store32(p + field::batch_length, static_cast<uint32_t>(out_.size() - log_overhead));
    const uint16_t attributes = batch.attributes() & (attr::timestamp_type | attr::transactional |
                                                      attr::control);
    be::store16(p + field::attributes,
                static_cast<uint16_t>(attributes | static_cast<uint16_t>(target)));
    be::store64(p + field::base_timestamp,
                static_cast<uint64_t>(wrapping_add(batch.base_timestamp(), first_delta)));
    std::span<uint8_t> rebuilt(out_.data(), out_.size());
    mutable_batch_view(rebuilt.data(), rebuilt.size()).update_crc();
    return rebuilt;
}

void batch_recompressor::release_above(size_t keep) {
    if (reencoded_.capacity() > keep) std::vector<uint8_t>().swap(reencoded_);
    if (out_.capacity() > keep) std::vector<uint8_t>().swap(out_);
}

}  // namespace eddy::record
