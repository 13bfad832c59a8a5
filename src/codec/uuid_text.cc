// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "eddy/codec/uuid_text.h"

namespace eddy::codec {

namespace {
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int value_of(char c) {
    auto pos = alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}
}  // namespace

std::string to_string(const uuid& id) {
    std::string out;
    out.reserve(22);
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t b : id.bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
    return out;
}

bool text_starts_with_dash(const uuid& id) {
    // The first character encodes the first byte's top six bits.
    return alphabet[id.bytes[0] >> 2] == '-';
}

std::optional<uuid> uuid_from_string(std::string_view text) {
    if (text.size() != 22) return std::nullopt;
    uuid id;
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (char c : text) {
        int v = value_of(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n < id.bytes.size()) id.bytes[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
        }
    }
    // The last character carries 2 bits of padding, which must be zero.
    if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return id;
}

}  // namespace eddy::codec
