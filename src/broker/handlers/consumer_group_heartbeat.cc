// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/consumer_group_heartbeat.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {
namespace {

consumer_group_heartbeat_handler::response disabled_reply() {
    consumer_group_heartbeat_handler::response resp;
    resp.error_code = wire_code(error_code::unsupported_version);
    return resp;
}

}  // namespace

asio::awaitable<consumer_group_heartbeat_handler::response>
consumer_group_heartbeat_handler::handle(request_context& ctx, request&& req) {
    if (!consumer_protocol_enabled(ctx)) {
        // Kafka answers an api it advertises but has not enabled with this code, not by
        // closing the connection.
        co_return disabled_reply();
    }
    const int16_t version = ctx.api_version;
    const std::string group_id = req.group_id;
    group::client_identity client{ctx.client_id, client_host(ctx)};
    // The image of now, read on the shard's strand: the operation holds it until it has run.
    metadata::image_ptr image = current_image(ctx);
    auto op = [req = std::move(req), version, client = std::move(client),
               image = std::move(image)](group::coordinator_shard& shard, int64_t now,
                                         group::reply<response> done) {
        done(shard.consumer_group_heartbeat(req, version, client, topics_of(image), now));
    };
    auto call = answer_on_group_shard<response>(ctx, group_id, std::move(op));
    co_return co_await std::move(call);
}

}  // namespace eddy::broker
