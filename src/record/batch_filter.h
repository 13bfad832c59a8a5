// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Keeping some records of a stored batch and dropping the others, as the log cleaner does
// (Kafka's MemoryRecords.filterTo): the batch survives whole, goes, or is written again
// with the records kept, at their own offsets.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "record/batch.h"
#include "record/records.h"

namespace eddy::record {

enum class filter_outcome {
    whole,    // every record is kept: the batch stays byte for byte
    dropped,  // no record is kept and no empty batch is wanted
    rebuilt,  // rebuilt() holds the batch with the kept records (or an empty one)
    failed,   // the records do not parse, or the codec failed: keep the batch whole
};

// Lives on: its owner's thread; the buffers are reused across calls.
class batch_filter {
public:
    // keep(record, offset): whether the record at `offset` stays.
    using keep_fn = std::function<bool(const record_view& record, int64_t offset)>;

    // `records`: the batch's uncompressed records (batch_records). A rebuilt batch keeps
    // the base offset, last offset delta, partition leader epoch, producer id, epoch and
    // base sequence, attributes, codec and base timestamp, so the kept records' bytes and
    // offsets are unchanged (and a producer's sequence numbers still line up with the
    // offsets); the record count, length and CRC are new, and under CreateTime the max
    // timestamp is the largest kept one. With no record kept and `keep_empty` (the batch
    // is the last one its producer has in the log, whose state must survive), the batch
    // becomes an uncompressed header without records, as Kafka's writeEmptyHeader.
    filter_outcome filter(const batch_view& batch, record_bytes records, const keep_fn& keep,
                          bool keep_empty);

    // Valid after a `rebuilt` outcome until the next call.
    std::span<const uint8_t> rebuilt() const { return {out_.data(), out_.size()}; }
    int32_t kept() const { return kept_; }
    int32_t removed() const { return removed_; }

private:
    std::vector<uint8_t> records_;  // the kept records, uncompressed
    std::vector<uint8_t> out_;
    int32_t kept_ = 0;
    int32_t removed_ = 0;
};

}  // namespace eddy::record
