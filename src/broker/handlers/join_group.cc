// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/join_group.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<join_group_handler::response> join_group_handler::handle(request_context& ctx,
                                                                         request&& req) {
    const int16_t version = ctx.api_version;
    const std::string group_id = req.group_id;
    const std::string member_id = req.member_id;
    group::client_identity client{ctx.client_id, client_host(ctx)};
    auto op = [req = std::move(req), version, client = std::move(client)](
                  group::coordinator_shard& shard, int64_t now, group::reply<response> done) mutable {
        shard.join_group(std::move(req), version, std::move(client), now, std::move(done));
    };
    auto call = on_group_shard<response>(ctx, group_id, std::move(op));
    group::outcome<response> r = co_await std::move(call);
    if (r.error == error_code::none) co_return std::move(r.response);
    // Kafka's answer when the group cannot be reached: the request's member id, no
    // generation, and the "no protocol" name of the version.
    response resp;
    resp.error_code = wire_code(r.error);
    resp.member_id = member_id;
    resp.generation_id = -1;
    resp.protocol_type = std::nullopt;
    if (version >= 7) resp.protocol_name = std::nullopt;  // else "" (Kafka's NoProtocol)
    else resp.protocol_name = std::string();
    co_return resp;
}

}  // namespace eddy::broker
