// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// AddPartitionsToTxn (key 24), versions 0-5: adds partitions to a producer's transaction
// (v0-v3, one transaction) or verifies them for a partition leader (v4+, batched, KIP-890).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/add_partitions_to_txn_request.h"
#include "eddy/msg/add_partitions_to_txn_response.h"

namespace eddy::broker {

struct add_partitions_to_txn_handler {
    using request = msg::add_partitions_to_txn_request;
    using response = msg::add_partitions_to_txn_response;
    static constexpr msg::api_key key = msg::api_key::add_partitions_to_txn;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
