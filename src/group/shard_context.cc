// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/shard_context.h"

#include <array>

namespace eddy::group {

shard_context::shard_context(coordinator_config c) : config(c), rng_(std::random_device{}()) {}

void shard_context::append(coordinator_record record, bool apply_now) {
    if (apply_now && apply) apply(record);
    records.push_back(std::move(record));
}

std::string shard_context::random_uuid() {
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < b.size(); i += 8) {
        uint64_t v = rng_();
        for (size_t j = 0; j < 8; ++j) b[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
    b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // IETF variant
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
