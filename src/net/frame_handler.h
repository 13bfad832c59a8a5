// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The seam between the network layer and whoever interprets frames (the broker).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eddy/frame_bytes.h"
#include "net/awaitable.h"

namespace eddy::net {

// Who sent a frame. Immutable, shared by every request of one connection.
struct peer_info {
    uint64_t connection_id = 0;
    std::string listener_name;   // PLAINTEXT, ...
    std::string remote_address;  // "127.0.0.1:53211"
};

// A byte range of an open file, sent with sendfile(2) (record bytes on Fetch, so they
// never pass through user space). `owner` keeps `fd` open until the range is sent.
struct file_range {
    std::shared_ptr<const void> owner;
    int fd = -1;
    uint64_t offset = 0;
    uint32_t length = 0;
};

// Bytes, then optionally a file range: one step of a reply written in pieces.
struct reply_piece {
    std::vector<uint8_t> bytes;
    std::optional<file_range> file;
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
    // Written after `bytes`, in order, in the same frame (its size counts them all).
    std::vector<reply_piece> pieces;
};

// Called on the connection's executor once per frame body (without the size
// prefix), in arrival order; several may be in flight at once. The returned
// awaitable owns its arguments. It must not throw; if it does anyway, the
// connection logs and closes.
using frame_handler =
    std::function<awaitable<reply>(std::shared_ptr<const peer_info>, frame_bytes frame)>;

}  // namespace eddy::net
