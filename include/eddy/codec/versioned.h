// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Keys and values of Kafka's internal topics (__consumer_offsets, __transaction_state): an
// int16 schema version, then the message in that version's encoding.
#pragma once

#include <cstdint>
#include <vector>

#include "eddy/codec/writer.h"

namespace eddy::codec {

template <class Message>
std::vector<uint8_t> encode_versioned(int16_t version, const Message& message) {
    std::vector<uint8_t> out;
    out.reserve(2 + message.size(version));  // also spares GCC 12 a false -Wstringop-overflow
    writer w(out);
    w.write_int16(version);
    message.write(w, version);
    return out;
}

}  // namespace eddy::codec
