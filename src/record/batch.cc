// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "record/batch.h"

#include "record/crc32c.h"
#include "record/endian.h"

namespace eddy::record {

std::string_view to_string(compression c) {
    switch (c) {
        case compression::none: return "none";
        case compression::gzip: return "gzip";
        case compression::snappy: return "snappy";
        case compression::lz4: return "lz4";
        case compression::zstd: return "zstd";
    }
    return "unknown";
}

int64_t batch_view::base_offset() const {
    return static_cast<int64_t>(be::load64(data_ + field::base_offset));
}
int32_t batch_view::batch_length() const {
    return static_cast<int32_t>(be::load32(data_ + field::batch_length));
}
int32_t batch_view::partition_leader_epoch() const {
    return static_cast<int32_t>(be::load32(data_ + field::partition_leader_epoch));
}
int8_t batch_view::magic() const { return static_cast<int8_t>(data_[field::magic]); }
uint32_t batch_view::crc() const { return be::load32(data_ + field::crc); }
uint16_t batch_view::attributes() const { return be::load16(data_ + field::attributes); }
int32_t batch_view::last_offset_delta() const {
    return static_cast<int32_t>(be::load32(data_ + field::last_offset_delta));
}
int64_t batch_view::base_timestamp() const {
    return static_cast<int64_t>(be::load64(data_ + field::base_timestamp));
}
int64_t batch_view::max_timestamp() const {
    return static_cast<int64_t>(be::load64(data_ + field::max_timestamp));
}
int64_t batch_view::producer_id() const {
    return static_cast<int64_t>(be::load64(data_ + field::producer_id));
}
int16_t batch_view::producer_epoch() const {
    return static_cast<int16_t>(be::load16(data_ + field::producer_epoch));
}
int32_t batch_view::base_sequence() const {
    return static_cast<int32_t>(be::load32(data_ + field::base_sequence));
}
int32_t batch_view::records_count() const {
    return static_cast<int32_t>(be::load32(data_ + field::records_count));
}

uint32_t batch_view::compute_crc() const {
    return crc32c(data_ + field::attributes, size_ - field::attributes);
}

void mutable_batch_view::set_base_offset(int64_t offset) const {
    be::store64(mut_ + field::base_offset, static_cast<uint64_t>(offset));
}

void mutable_batch_view::set_partition_leader_epoch(int32_t epoch) const {
    be::store32(mut_ + field::partition_leader_epoch, static_cast<uint32_t>(epoch));
}

void mutable_batch_view::set_max_timestamp(timestamp_type type, int64_t max_timestamp) const {
    if (ts_type() == type && this->max_timestamp() == max_timestamp) return;
    uint16_t a = attributes() & static_cast<uint16_t>(~attr::timestamp_type);
    if (type == timestamp_type::log_append_time) a |= attr::timestamp_type;
    be::store16(mut_ + field::attributes, a);
    be::store64(mut_ + field::max_timestamp, static_cast<uint64_t>(max_timestamp));
    update_crc();
}

void mutable_batch_view::update_crc() const { be::store32(mut_ + field::crc, compute_crc()); }

scan_status batch_scanner::stop(scan_status s, std::string_view why) {
    sticky_ = s;
    reason_ = why;
    return s;
}

scan_status batch_scanner::next(batch_view& out) {
    if (sticky_ != scan_status::ok) return sticky_;
    size_t remaining = size_ - pos_;
    if (remaining == 0) return scan_status::end;
    const uint8_t* p = data_ + pos_;
    if (remaining < log_overhead) return stop(scan_status::incomplete, "partial batch length");
    auto length = static_cast<int32_t>(be::load32(p + field::batch_length));
    if (length < min_batch_length) return stop(scan_status::corrupt, "batch length below header");
    size_t total = log_overhead + static_cast<size_t>(length);
    if (total > static_cast<size_t>(opts_.max_batch_size)) {
        return stop(scan_status::corrupt, "batch length above limit");
    }
    // The magic byte decides before completeness: a garbage tail with a huge length
    // is corruption, not a write in progress.
    if (remaining <= field::magic) return stop(scan_status::incomplete, "partial batch header");
    if (static_cast<int8_t>(p[field::magic]) != current_magic) {
        return stop(scan_status::corrupt, "magic is not 2");
    }
    if (remaining < total) return stop(scan_status::incomplete, "partial batch");
    batch_view b(p, total);
    if (opts_.check_crc && !b.crc_ok()) return stop(scan_status::corrupt, "crc mismatch");
    out = b;
    pos_ += total;
    return scan_status::ok;
}

}  // namespace eddy::record
