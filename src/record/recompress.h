// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The topic config compression.type acting on Produce: a validated batch whose codec
// is not the topic's is rebuilt in the topic's codec, as Kafka's LogValidator does
// (validateMessagesAndAssignOffsetsCompressed, buildRecordsAndAssignOffsets). Batches
// already in the topic's codec never come here: they are stored as received.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "record/batch.h"
#include "record/compression.h"
#include "record/records.h"

namespace eddy::record {

// Kafka's rule for whether a batch in `source` codec must be rebuilt for a topic whose
// codec is `target`: the codecs differ, except that an uncompressed control batch is
// kept as it is ("do not compress control records unless they are written compressed").
inline bool needs_recompression(const batch_view& batch, compression target) {
    const compression source = batch.compression_type();
    return source != target && !(source == compression::none && batch.is_control());
}

// The uncompressed records of a batch that validate_produce_batches has just accepted
// with `scratch`: the batch's own records section when it is uncompressed, else what
// validation decompressed into `scratch` (its documented contract), so the rebuild does
// not decompress the batch a second time. Valid until `scratch` is reused.
inline record_bytes validated_records(const batch_view& batch, const byte_buffer& scratch) {
    if (batch.compression_type() == compression::none) {
        return {codec_status::ok, batch.records_data(), batch.records_size()};
    }
    return {codec_status::ok, scratch.data(), scratch.size()};
}

// Rebuilds one validated magic-2 batch in another codec, as Kafka's MemoryRecordsBuilder
// does for the leader: the same base offset, partition leader epoch, producer id, epoch
// and base sequence, transactional and control bits, timestamp type, record count and
// last offset delta; every record with the same offset delta, timestamp, key, value and
// headers (record attributes written as 0, as Kafka writes them). The base timestamp
// becomes the first record's timestamp and the max timestamp is kept (validation set it:
// the largest record timestamp under CreateTime, the append time under LogAppendTime).
// The records are re-encoded only when their timestamp deltas or attributes change;
// otherwise their bytes are compressed (or copied) as they are. No delete-horizon bit.
// Lives on: its owner's thread; the buffers are reused across calls.
class batch_recompressor {
public:
    // `records`: the batch's uncompressed records (validated_records). `level`: Kafka's
    // compression.<codec>.level for `target` (ignored for none and snappy). The result
    // points into this object and is valid until the next call; empty when the codec
    // library fails (Kafka would fail the append).
    std::span<uint8_t> rebuild(const batch_view& batch, record_bytes records,
                               compression target, int level);
    // Frees a buffer whose capacity is above `keep` (see byte_buffer::release_above).
    void release_above(size_t keep);

private:
    std::vector<uint8_t> reencoded_;  // records with new timestamp deltas, when needed
    std::vector<uint8_t> out_;        // the rebuilt batch
};

}  // namespace eddy::record
