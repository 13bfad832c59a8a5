// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/frame.h"

namespace eddy::net {

frame_check check_frame(const uint8_t* data, size_t size, size_t max_body_bytes) {
    if (size < 4) return {frame_check::status::need_more, 0};
    int32_t declared = decode_frame_size(data);
    // Kafka's NetworkReceive rejects a negative size and one above the limit before
    // allocating anything; so do we.
    if (declared < 0 || static_cast<size_t>(declared) > max_body_bytes)
        return {frame_check::status::invalid, 0};
    auto body = static_cast<size_t>(declared);
    if (size - 4 < body) return {frame_check::status::need_more, body};
    return {frame_check::status::complete, body};
}

}  // namespace eddy::net
