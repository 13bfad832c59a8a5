// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's framing: a 4-byte big-endian signed size, then that many bytes of request.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eddy::net {

// Result of looking at the start of a byte stream. Pure and I/O-free, so it can be
// fuzzed and fed input split at every byte.
struct frame_check {
    enum class status {
        need_more,  // fewer than 4 bytes, or the body is not all there yet
        complete,   // 4 + body_size bytes are available
        invalid,    // negative size, or larger than the limit: close the connection
    } st;
    size_t body_size;  // the declared body size once the 4 size bytes are in; else 0
};

// Checks the frame at data[0..size). max_body_bytes is socket.request.max.bytes.
frame_check check_frame(const uint8_t* data, size_t size, size_t max_body_bytes);

// Decodes the 4-byte size prefix (big-endian, signed).
inline int32_t decode_frame_size(const uint8_t* p) {
    return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                (uint32_t{p[2]} << 8) | uint32_t{p[3]});
}

}  // namespace eddy::net
