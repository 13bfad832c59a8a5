// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/heartbeat.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<heartbeat_handler::response> heartbeat_handler::handle(
    request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    const std::string group_id = req.group_id;
    auto op = [req = std::move(req), version](group::coordinator_shard& shard, int64_t now,
                                              group::reply<response> done) {
        done(shard.heartbeat(req, version, now));
    };
    auto call = answer_on_group_shard<response>(ctx, group_id, std::move(op));
    co_return co_await std::move(call);
}

}  // namespace eddy::broker
