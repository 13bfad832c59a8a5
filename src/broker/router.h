// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Routes one request frame to the handler registered for its api key and version,
// and encodes the handler's response with the right response header.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <asio/awaitable.hpp>

#include "broker/broker_info.h"
#include "broker/handlers/fetch_response_writer.h"
#include "broker/request_context.h"
#include "eddy/frame_bytes.h"

namespace eddy::broker {

// What goes back for one frame.
struct routed_reply {
    enum class action {
        send,   // `bytes` = response header + body
        none,   // nothing goes back (Produce with acks=0)
        close,  // close the connection (what Kafka does with an undecodable request)
    };
    action what = action::send;
    std::vector<uint8_t> bytes;
    // Sent after `bytes` in the same frame: the rest of a response whose record sets
    // stay in segment files (Fetch), for sendfile(2).
    std::vector<response_piece> pieces;
};

// Thread-safe: holds only immutable state, so one router serves every connection.
class router {
public:
    explicit router(std::shared_ptr<const broker_info> broker) : broker_(std::move(broker)) {}

    // Decodes `frame` (a whole frame body) and runs its handler. Never throws for bad
    // input: an unknown api key, a version no handler serves (except ApiVersions, which
    // gets Kafka's v0 UNSUPPORTED_VERSION reply) or malformed bytes give `close`.
    asio::awaitable<routed_reply> handle(std::shared_ptr<const client_info> client,
                                         frame_bytes frame) const;

    const std::shared_ptr<const broker_info>& broker() const { return broker_; }

private:
    std::shared_ptr<const broker_info> broker_;
};

}  // namespace eddy::broker
