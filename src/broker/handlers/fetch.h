// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Fetch (key 1), versions 4-17: reads up to the high watermark (read_committed: up to the
// last stable offset, with the aborted transactions read), long-polls until an append or a
// transaction marker (or max_wait_ms), and leaves the record bytes in the segment files.
#pragma once

#include <vector>

#include <asio/awaitable.hpp>

#include "broker/handlers/fetch_response_writer.h"
#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/fetch_request.h"
#include "eddy/msg/fetch_response.h"

namespace eddy::broker {

struct fetch_handler {
    using request = msg::fetch_request;
    using response = msg::fetch_response;
    static constexpr msg::api_key key = msg::api_key::fetch;
    // v0-v3 predate the log start offset and magic 2; Kafka 3.9 serves up to 17.
    static constexpr version_range supported{4, 17};
    using result_type = fetch_result;

    // The response with every records field empty, plus each partition's record set
    // as file slices (see fetch_response_writer.h).
    // The router's entry point: the broker's replica manager from the context.
    static asio::awaitable<fetch_result> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<fetch_result> handle(cluster::replica_manager& replicas,
                                                request_context& ctx, request&& req);

    // Header + body with the record sets as file slices (the router sends this).
    static sliced_response write_response(const request_context& ctx, const fetch_result& r) {
        return write_fetch_response(ctx, r);
    }
};

}  // namespace eddy::broker
