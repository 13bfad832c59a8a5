// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test helper, header only: legacy message sets (magic 0 and 1) written by hand from
// the layout in src/record/legacy_format.md, as pre-0.11 clients send them.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "record/compression.h"
#include "record/endian.h"

namespace eddy::test::legacy {

struct message {
    std::optional<std::string> key;
    std::optional<std::string> value;
    int64_t timestamp = -1;  // magic 1 only
};

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
    uint8_t b[4];
    record::be::store32(b, v);
    out.insert(out.end(), b, b + 4);
}
inline void put64(std::vector<uint8_t>& out, uint64_t v) {
    uint8_t b[8];
    record::be::store64(b, v);
    out.insert(out.end(), b, b + 8);
}
inline void put_sized(std::vector<uint8_t>& out, const std::optional<std::string>& s) {
    if (!s) {
        put32(out, 0xFFFFFFFFu);
        return;
    }
    put32(out, static_cast<uint32_t>(s->size()));
    out.insert(out.end(), s->begin(), s->end());
}
inline void put_sized(std::vector<uint8_t>& out, const std::vector<uint8_t>& s) {
    put32(out, static_cast<uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

// One entry: offset, size, then crc, magic, attributes, [timestamp], key, value; with a
// correct CRC-32 unless the caller breaks it afterwards.
inline std::vector<uint8_t> entry(int8_t magic, int64_t offset, uint8_t attributes, int64_t timestamp,
                                  const std::optional<std::string>& key,
                                  const std::vector<uint8_t>* raw_value,
                                  const std::optional<std::string>& value) {
    std::vector<uint8_t> msg;
    put32(msg, 0);  // crc, below
    msg.push_back(static_cast<uint8_t>(magic));
    msg.push_back(attributes);
    if (magic == 1) put64(msg, static_cast<uint64_t>(timestamp));
    put_sized(msg, key);
    if (raw_value) put_sized(msg, *raw_value);
    else put_sized(msg, value);
    uint32_t crc = static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), msg.data() + 4, static_cast<uInt>(msg.size() - 4)));
    record::be::store32(msg.data(), crc);
    std::vector<uint8_t> out;
    put64(out, static_cast<uint64_t>(offset));
    put32(out, static_cast<uint32_t>(msg.size()));
    out.insert(out.end(), msg.begin(), msg.end());
    return out;
}

// An uncompressed set: one entry per message, offsets 0..n-1 (brokers ignore them).
inline std::vector<uint8_t> plain_set(int8_t magic, const std::vector<message>& msgs,
                                      uint8_t attributes = 0) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < msgs.size(); ++i) {
        auto e = entry(magic, static_cast<int64_t>(i), attributes, msgs[i].timestamp, msgs[i].key,
                       nullptr, msgs[i].value);
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

// A wrapper entry around `inner` (an uncompressed set) compressed with `codec`; magic 1
// wrappers carry the last inner offset (relative offsets inside), as the Java client wrote.
inline std::vector<uint8_t> wrapper_of(int8_t magic, record::compression codec,
                                       const std::vector<uint8_t>& inner, int64_t wrapper_offset,
                                       int64_t timestamp = -1, uint8_t extra_attributes = 0) {
    std::vector<uint8_t> packed;
    record::compress(codec, inner.data(), inner.size(), packed);
    return entry(magic, wrapper_offset, static_cast<uint8_t>(static_cast<uint8_t>(codec) | extra_attributes),
                 timestamp, std::nullopt, &packed, std::nullopt);
}

inline std::vector<uint8_t> compressed_set(int8_t magic, record::compression codec,
                                           const std::vector<message>& msgs) {
    auto inner = plain_set(magic, msgs);
    int64_t last = static_cast<int64_t>(msgs.size()) - 1;
    int64_t ts = msgs.empty() ? -1 : msgs.back().timestamp;
    return wrapper_of(magic, codec, inner, magic == 1 ? last : 0, ts);
}

}  // namespace eddy::test::legacy
