// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The seam between the network layer and whoever interprets frames (the broker).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/awaitable.h"

namespace eddy::net {

// Who sent a frame. Immutable, shared by every request of one connection.
struct peer_info {
    uint64_t connection_id = 0;
    std::string listener_name;   // PLAINTEXT, ...
    std::string remote_address;  // "127.0.0.1:53211"
};

// What the connection does with the frame's outcome, in request order.
struct reply {
    enum class kind {
        send,   // write `bytes` (response header + body) as one frame
        none,   // nothing goes back (e.g. a Produce with acks=0)
        close,  // close the connection once every earlier reply is written
    };
    kind what = kind::send;
    std::vector<uint8_t> bytes;
};

// Called on the connection's executor once per frame body (without the size
// prefix), in arrival order; several may be in flight at once. The returned
// awaitable owns its arguments. It must not throw; if it does anyway, the
// connection logs and closes.
using frame_handler =
    std::function<awaitable<reply>(std::shared_ptr<const peer_info>, std::vector<uint8_t> frame)>;

}  // namespace eddy::net
