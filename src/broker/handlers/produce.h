// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Produce (key 0), versions 0-11: validate each partition's batch and append it on the
// partition's executor; v0-v2 message sets (magic 0/1) are first rewritten as one
// magic-2 batch, as Kafka does with its log format at v2.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/router.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/produce_request.h"
#include "eddy/msg/produce_response.h"

namespace eddy::broker {

struct produce_handler {
    using request = msg::produce_request;
    using response = msg::produce_response;
    static constexpr msg::api_key key = msg::api_key::produce;
    // Kafka 3.9 serves 0-11; librdkafka <= 2.11 compresses only when v0 is offered.
    static constexpr version_range supported{0, 11};

    // acks=0: Kafka sends nothing back, and when a partition failed it closes the
    // connection instead, so the client refreshes its metadata.
    static routed_reply::action reply_action(const request& req, const response& resp);

    // The records in `req` point into the request frame, which the caller keeps alive
    // (and writable: the broker rewrites offsets in place) until this completes.
    // The router's entry point: the broker's replica manager from the context.
    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
