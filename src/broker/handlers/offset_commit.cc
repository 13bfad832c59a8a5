// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_commit.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<offset_commit_handler::response> offset_commit_handler::handle(
    request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    const std::string group_id = req.group_id;
    auto op = [req, version](group::coordinator_shard& shard, int64_t now,
                             group::reply<response> done) {
        done(shard.offset_commit(req, version, now));
    };
    auto call = on_group_shard<response>(ctx, group_id, std::move(op));
    group::outcome<response> r = co_await std::move(call);
    if (r.error == error_code::none) co_return std::move(r.response);
    // OffsetCommitRequest.getErrorResponse: the error on every partition.
    response resp;
    for (const auto& t : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = t.name;
        for (const auto& p : t.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            rp.error_code = wire_code(r.error);
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
