// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/shard_context.h"

#include <array>

namespace eddy::group {

shard_context::shard_context(coordinator_config c) : config(c), rng_(std::random_device{}()) {}

void shard_context::append(coordinator_record record, bool apply_now) {
    if (apply_now && apply) apply(record);
    records.push_back(std::move(record));
}

namespace {

std::array<uint8_t, 16> random_v4(std::mt19937_64& rng) {
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < b.size(); i += 8) {
        uint64_t v = rng();
        for (size_t j = 0; j < 8; ++j) b[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
    b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // IETF variant
    return b;
}

}  // namespace

std::string shard_context::random_kafka_uuid() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (;;) {
        const auto b = random_v4(rng_);
        std::string out;
        out.reserve(22);
        // 16 bytes: five 3-byte groups and one trailing byte (two characters, no padding).
        for (size_t i = 0; i < 15; i += 3) {
            const uint32_t v = (uint32_t(b[i]) << 16) | (uint32_t(b[i + 1]) << 8) | b[i + 2];
            for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
        }
        out.push_back(alphabet[b[15] >> 2]);
        out.push_back(alphabet[(b[15] & 3) << 4]);
        if (out.front() != '-') return out;
    }
}

std::string shard_context::random_uuid() {
    const auto b = random_v4(rng_);
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
