// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_commit.h"

#include "broker/handlers/commit_partitions.h"

namespace eddy::broker {

asio::awaitable<offset_commit_handler::response> offset_commit_handler::handle(
    request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    auto commit = [version](group::coordinator_shard& shard, const request& forwarded, int64_t now) {
        return shard.offset_commit(forwarded, version, now);
    };
    // An unreachable coordinator's error lands on every known partition, as
    // OffsetCommitRequest.getErrorResponse puts it on every partition it was given.
    auto answered = commit_known_partitions<response>(ctx, req, commit, [](error_code e) { return wire_code(e); });
    co_return co_await std::move(answered);
}

}  // namespace eddy::broker
