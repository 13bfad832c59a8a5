// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// TxnOffsetCommit (key 28), versions 0-4: a transactional producer's offsets for a group,
// written to the group's shard as part of the producer's transaction and made visible by
// the transaction's commit marker.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/txn_offset_commit_request.h"
#include "eddy/msg/txn_offset_commit_response.h"

#include <asio/awaitable.hpp>

namespace eddy::broker {

struct txn_offset_commit_handler {
    using request = msg::txn_offset_commit_request;
    using response = msg::txn_offset_commit_response;
    static constexpr msg::api_key key = msg::api_key::txn_offset_commit;
    static constexpr version_range supported{0, 4};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
