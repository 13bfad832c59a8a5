// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What the transaction api handlers share: creating __transaction_state on first use and
// running an operation on the coordinator shard that owns a transactional id.
#pragma once

#include <string>

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "txn/runtime/txn_runtime.h"

namespace eddy::broker {

// Creates __transaction_state when the image has no such topic, as Kafka does when a
// client first looks for a transaction coordinator; returns once the controller has
// answered.
asio::awaitable<void> ensure_transaction_topic(const request_context& ctx);

// Runs op(shard, now_ms) -> Response on the shard owning `transactional_id`.
// NOT_COORDINATOR when this broker does not host it, COORDINATOR_NOT_AVAILABLE without a
// transaction coordinator.
template <class Response, class Op>
asio::awaitable<txn::outcome<Response>> on_txn_shard(const request_context& ctx,
                                                     const std::string& transactional_id, Op op) {
    txn::txn_runtime* runtime = ctx.broker->txns.get();
    if (runtime == nullptr)
        co_return txn::outcome<Response>{error_code::coordinator_not_available, {}};
    asio::awaitable<txn::outcome<Response>> done =
        runtime->call<Response>(runtime->partition_of(transactional_id), std::move(op));
    co_return co_await std::move(done);
}

// on_txn_shard for the calls whose answer is one error: the runtime's (NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS, ...) or the shard's, as the request's version carries it
// (txn::client_error).
template <class Op>
asio::awaitable<error_code> txn_error_of(const request_context& ctx,
                                         const std::string& transactional_id, Op op) {
    asio::awaitable<txn::outcome<error_code>> call =
        on_txn_shard<error_code>(ctx, transactional_id, std::move(op));
    txn::outcome<error_code> r = co_await std::move(call);
    error_code e = r.error;
    if (e == error_code::none) e = r.response;
    co_return txn::client_error(ctx.api_key, ctx.api_version, e);
}

}  // namespace eddy::broker
