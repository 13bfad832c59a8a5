// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/txn_offset_commit.h"

#include "broker/handlers/commit_partitions.h"
#include "txn/txn_coordinator_shard.h"

namespace eddy::broker {

asio::awaitable<txn_offset_commit_handler::response> txn_offset_commit_handler::handle(
    request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    auto commit = [version](group::coordinator_shard& shard, const request& forwarded, int64_t now) {
        return shard.txn_offset_commit(forwarded, version, now);
    };
    // Before v3 clients know a fenced producer as INVALID_PRODUCER_EPOCH.
    const int16_t api_key = ctx.api_key;
    auto client_code = [api_key, version](error_code e) {
        return wire_code(txn::client_error(api_key, version, e));
    };
    auto answered = commit_known_partitions<response>(ctx, req, commit, client_code);
    co_return co_await std::move(answered);
}

}  // namespace eddy::broker
