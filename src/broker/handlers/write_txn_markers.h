// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// WriteTxnMarkers (key 27), versions 0-1: a transaction coordinator ends a transaction in
// the partitions this broker leads, one control batch per marker and partition, all
// written at once; the answer lists every partition's error, grouped by producer id.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/write_txn_markers_request.h"
#include "eddy/msg/write_txn_markers_response.h"

namespace eddy::broker {

struct write_txn_markers_handler {
    using request = msg::write_txn_markers_request;
    using response = msg::write_txn_markers_response;
    static constexpr msg::api_key key = msg::api_key::write_txn_markers;
    static constexpr version_range supported{0, 1};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
