// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// AddOffsetsToTxn (key 25): adds the __consumer_offsets partition of a group to a producer's
// transaction, before its TxnOffsetCommit.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/add_offsets_to_txn_request.h"
#include "eddy/msg/add_offsets_to_txn_response.h"

namespace eddy::broker {

struct add_offsets_to_txn_handler {
    using request = msg::add_offsets_to_txn_request;
    using response = msg::add_offsets_to_txn_response;
    static constexpr msg::api_key key = msg::api_key::add_offsets_to_txn;
    static constexpr version_range supported{0, 4};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
