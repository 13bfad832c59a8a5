// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "eddy/codec/random_uuid.h"

#include "eddy/codec/uuid_text.h"

namespace eddy::codec {

uint64_t random_seed() {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

uuid random_uuid(std::mt19937_64& rng) {
    for (;;) {
        uuid id;
        for (size_t i = 0; i < id.bytes.size(); i += 8) {
            const uint64_t r = rng();
            for (size_t j = 0; j < 8; ++j) id.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
        }
        id.bytes[6] = static_cast<uint8_t>((id.bytes[6] & 0x0f) | 0x40);  // version 4
        id.bytes[8] = static_cast<uint8_t>((id.bytes[8] & 0x3f) | 0x80);  // IETF variant
        // The version and variant bits already rule out the reserved ids (all zero but the
        // last byte).
        if (!text_starts_with_dash(id)) return id;
    }
}

uuid random_uuid() {
    std::mt19937_64 rng(random_seed());
    return random_uuid(rng);
}

}  // namespace eddy::codec
