// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/shard_context.h"

#include "eddy/codec/random_uuid.h"
#include "eddy/codec/uuid_text.h"

namespace eddy::group {

shard_context::shard_context(coordinator_config c) : config(c), rng_(codec::random_seed()) {}

void shard_context::append(coordinator_record record, bool apply_now) {
    if (apply_now && apply) apply(record);
    records.push_back(std::move(record));
}

std::string shard_context::random_kafka_uuid() { return codec::to_string(codec::random_uuid(rng_)); }

std::string shard_context::random_uuid() {
    const auto b = codec::random_uuid(rng_).bytes;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 0x0f]);
    }
    return out;
}

void shard_context::flush_replies() {
    // A reply may in principle lead to more replies being queued; drain until empty.
    while (!replies.empty()) {
        outbox batch;
        batch.swap(replies);
        for (auto& fn : batch) fn();
    }
}

}  // namespace eddy::group
