// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/batch_filter.h"

#include <algorithm>

#include "record/compression.h"
#include "record/endian.h"
#include "record/wrapping.h"

namespace eddy::record {

filter_outcome batch_filter::filter(const batch_view& batch, record_bytes records,
                                    const keep_fn& keep, bool keep_empty) {
    kept_ = 0;
    removed_ = 0;
    records_.clear();
    const int32_t count = batch.records_count();
    record_reader reader(records.data, records.size, count);
    record_view rec;
    const uint8_t* start = records.data;
    int64_t max_timestamp = no_timestamp;
    record_status status;
    while ((status = reader.next(rec)) == record_status::ok) {
        const size_t length = static_cast<size_t>(reader.position() - start);
        const int64_t offset = batch.base_offset() + rec.offset_delta;
        if (keep(rec, offset)) {
            records_.insert(records_.end(), start, start + length);
            max_timestamp = std::max(max_timestamp, wrapping_add(batch.base_timestamp(), rec.timestamp_delta));
            ++kept_;
        } else {
            ++removed_;
        }
        start += length;
    }
    if (status != record_status::end) return filter_outcome::failed;
    if (removed_ == 0) return filter_outcome::whole;
    if (kept_ == 0 && !keep_empty) return filter_outcome::dropped;

    uint16_t attributes = batch.attributes();
    out_.assign(batch.data(), batch.data() + batch_header_size);
    if (kept_ == 0) {
        attributes &= static_cast<uint16_t>(~attr::compression_mask);
    } else if (batch.compression_type() == compression::none) {
        out_.insert(out_.end(), records_.begin(), records_.end());
    } else if (!compress(batch.compression_type(), records_.data(), records_.size(), out_)) {
        return filter_outcome::failed;
    }
    uint8_t* p = out_.data();
    be::store32(p + field::batch_length, static_cast<uint32_t>(out_.size() - log_overhead));
    be::store16(p + field::attributes, attributes);
    be::store32(p + field::records_count, static_cast<uint32_t>(kept_));
    // LogAppendTime batches keep the time the log gave them.
    if (batch.ts_type() == timestamp_type::create_time && kept_ > 0) {
        be::store64(p + field::max_timestamp, static_cast<uint64_t>(max_timestamp));
    }
    mutable_batch_view(out_.data(), out_.size()).update_crc();
    return filter_outcome::rebuilt;
}

}  // namespace eddy::record
