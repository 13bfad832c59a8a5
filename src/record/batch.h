// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Views over magic-2 record batches and a scanner over consecutive batches.
// Layout: src/record/batch_format.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy::record {

// Byte offsets of the v2 batch header fields (Kafka's DefaultRecordBatch).
namespace field {
inline constexpr size_t base_offset = 0;             // int64
inline constexpr size_t batch_length = 8;            // int32, bytes after this field
inline constexpr size_t partition_leader_epoch = 12; // int32
inline constexpr size_t magic = 16;                  // int8
inline constexpr size_t crc = 17;                    // uint32, CRC-32C of attributes..end
inline constexpr size_t attributes = 21;             // int16
inline constexpr size_t last_offset_delta = 23;      // int32
inline constexpr size_t base_timestamp = 27;         // int64
inline constexpr size_t max_timestamp = 35;          // int64
inline constexpr size_t producer_id = 43;            // int64
inline constexpr size_t producer_epoch = 51;         // int16
inline constexpr size_t base_sequence = 53;          // int32
inline constexpr size_t records_count = 57;          // int32
}  // namespace field

// baseOffset + batchLength: the bytes not counted by batchLength.
inline constexpr size_t log_overhead = 12;
// The whole v2 header; the records start here.
inline constexpr size_t batch_header_size = 61;
// The smallest batchLength a v2 batch can have (a header and no records).
inline constexpr int32_t min_batch_length = static_cast<int32_t>(batch_header_size - log_overhead);
// Kafka's smallest legal batchLength of any magic (a v0 message); below it Kafka's batch
// iterator reports CORRUPT_MESSAGE without looking further.
inline constexpr int32_t min_any_magic_batch_length = 14;

inline constexpr int8_t current_magic = 2;
inline constexpr int64_t no_producer_id = -1;
inline constexpr int16_t no_producer_epoch = -1;
inline constexpr int32_t no_sequence = -1;
inline constexpr int64_t no_timestamp = -1;
inline constexpr int32_t no_partition_leader_epoch = -1;

// Attribute bits 0-2; ids 5-7 are not defined by Kafka.
enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
std::string_view to_string(compression c);
inline bool is_known(compression c) { return static_cast<uint8_t>(c) <= 4; }

// Attribute bit 3.
enum class timestamp_type : uint8_t { create_time = 0, log_append_time = 1 };

namespace attr {
inline constexpr uint16_t compression_mask = 0x07;
inline constexpr uint16_t timestamp_type = 0x08;
inline constexpr uint16_t transactional = 0x10;
inline constexpr uint16_t control = 0x20;
inline constexpr uint16_t delete_horizon = 0x40;
}  // namespace attr

// A read-only view of one complete v2 batch: [data, data + size) where size is
// log_overhead + batchLength and size >= batch_header_size. Does not own the bytes;
// they must outlive the view. Accessors decode big-endian and never check anything:
// use batch_scanner (or check the sizes yourself) before trusting a view.
class batch_view {
public:
    batch_view() = default;
    batch_view(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }

    int64_t base_offset() const;
    int32_t batch_length() const;
    int32_t partition_leader_epoch() const;
    int8_t magic() const;
    uint32_t crc() const;
    uint16_t attributes() const;
    int32_t last_offset_delta() const;
    int64_t base_timestamp() const;
    int64_t max_timestamp() const;
    int64_t producer_id() const;
    int16_t producer_epoch() const;
    int32_t base_sequence() const;
    int32_t records_count() const;

    // The raw attribute bits 0-2; may be an undefined id (check is_known()).
    compression compression_type() const {
        return static_cast<compression>(attributes() & attr::compression_mask);
    }
    timestamp_type ts_type() const {
        return (attributes() & attr::timestamp_type) ? timestamp_type::log_append_time
                                                     : timestamp_type::create_time;
    }
    bool is_transactional() const { return (attributes() & attr::transactional) != 0; }
    bool is_control() const { return (attributes() & attr::control) != 0; }
    bool has_delete_horizon() const { return (attributes() & attr::delete_horizon) != 0; }
    bool has_producer_id() const { return producer_id() >= 0; }
    int64_t last_offset() const { return base_offset() + last_offset_delta(); }

    // The records section (compressed or not): everything after the header.
    const uint8_t* records_data() const { return data_ + batch_header_size; }
    size_t records_size() const { return size_ - batch_header_size; }

    // CRC-32C over attributes..end, and whether it matches the stored crc.
    uint32_t compute_crc() const;
    bool crc_ok() const { return compute_crc() == crc(); }

private:
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// A view that may also rewrite the fields the broker owns. Same preconditions as
// batch_view; the bytes must be writable and not shared with other readers.
class mutable_batch_view : public batch_view {
public:
    mutable_batch_view() = default;
    mutable_batch_view(uint8_t* data, size_t size) : batch_view(data, size), mut_(data) {}

    uint8_t* mutable_data() const { return mut_; }

    // Outside the CRC: no recomputation needed.
    void set_base_offset(int64_t offset) const;
    void set_partition_leader_epoch(int32_t epoch) const;
    // Sets maxTimestamp and the timestamp-type bit and recomputes the CRC, as Kafka's
    // setMaxTimestamp does; a no-op when both are already equal.
    void set_max_timestamp(timestamp_type type, int64_t max_timestamp) const;
    // Recomputes and stores the CRC (after a caller changed bytes inside it).
    void update_crc() const;

private:
    uint8_t* mut_ = nullptr;
};

// Outcome of one scanner step.
enum class scan_status {
    ok,          // a complete, well-formed batch (CRC checked if asked)
    end,         // no bytes left
    incomplete,  // the bytes end inside a batch that so far looks valid (a torn tail)
    corrupt,     // the bytes at position() are not a valid v2 batch
};

// Walks consecutive v2 batches in [data, data + size), as the log's recovery and a
// Fetch reader need. Checks per batch: batchLength >= 49 and <= max_batch_size, magic
// 2, complete, and (if check_crc) the CRC. A truncated batch is reported as
// `incomplete`, never as `corrupt`, so recovery can tell a torn write from garbage;
// once the scanner returns anything but ok it stays there. Never reads out of bounds.
// Does not own the bytes. Lives on: whichever thread scans; not shared.
class batch_scanner {
public:
    struct options {
        bool check_crc = true;
        int32_t max_batch_size = INT32_MAX;  // bound on log_overhead + batchLength
    };

    batch_scanner(const uint8_t* data, size_t size) : batch_scanner(data, size, options{}) {}
    batch_scanner(const uint8_t* data, size_t size, options opts)
        : data_(data), size_(size), opts_(opts) {}

    // Reads the next batch into `out` (valid only when ok is returned).
    scan_status next(batch_view& out);

    // Offset of the first byte not yet consumed: after the last ok batch.
    size_t position() const { return pos_; }
    // Why the last step was incomplete or corrupt (a static string).
    std::string_view reason() const { return reason_; }

private:
    scan_status stop(scan_status s, std::string_view why);

    const uint8_t* data_;
    size_t size_;
    options opts_;
    size_t pos_ = 0;
    scan_status sticky_ = scan_status::ok;
    std::string_view reason_;
};

}  // namespace eddy::record
