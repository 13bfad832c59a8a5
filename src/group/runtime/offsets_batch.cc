// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/offsets_batch.h"

#include "record/plain_batch.h"

namespace eddy::group {
namespace {

// A decompressed batch of a few MB is far beyond what a coordinator writes; the bound
// only keeps a corrupt log from exhausting memory.
constexpr size_t max_records_bytes = 256u << 20;

}  // namespace

std::vector<uint8_t> encode_offsets_batch(std::span<const coordinator_record> records,
                                          int32_t leader_epoch, int64_t now_ms,
                                          record::compression codec,
                                          const batch_producer& producer) {
    std::vector<record::plain_record> views;
    views.reserve(records.size());
    for (const coordinator_record& r : records) {
        record::plain_record v;
        v.key.emplace(r.key);
        if (r.value) v.value.emplace(*r.value);
        views.push_back(v);
    }
    record::plain_batch_header h;
    h.leader_epoch = leader_epoch;
    h.timestamp_ms = now_ms;
    h.codec = codec;
    if (producer.id >= 0) {
        h.transactional = true;
        h.producer_id = producer.id;
        h.producer_epoch = producer.epoch;
    }
    return record::encode_plain_batch(h, views);
}

bool read_offsets_batch(const record::batch_view& batch, record::byte_buffer& scratch,
                        const record_visitor& each, std::string& error) {
    // Kafka's loader ignores records without a key.
    auto keyed = [&each](std::optional<std::span<const uint8_t>> key,
                         std::optional<std::span<const uint8_t>> value) {
        if (key) each(*key, value);
    };
    return record::for_each_plain_record(batch, scratch, max_records_bytes, keyed, error);
}

}  // namespace eddy::group
