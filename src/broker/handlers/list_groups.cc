// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/list_groups.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<list_groups_handler::response> list_groups_handler::handle(request_context& ctx,
                                                                           request&& req) {
    using listed = response::listed_group;
    response resp;
    group::coordinator_runtime* runtime = ctx.broker->groups.get();
    if (runtime == nullptr) co_return resp;
    const int16_t version = ctx.api_version;
    for (int32_t partition : runtime->hosted_partitions()) {
        auto op = [states = req.states_filter, types = req.types_filter, version](
                      group::coordinator_shard& shard, int64_t, group::reply<std::vector<listed>> done) {
            done(shard.list_groups(states, types, version));
        };
        auto call = runtime->call<std::vector<listed>>(partition, std::move(op));
        group::outcome<std::vector<listed>> r = co_await std::move(call);
        if (r.error == error_code::none) {
            for (listed& g : r.response) resp.groups.push_back(std::move(g));
        } else if (r.error != error_code::not_coordinator) {
            // A shard still loading: Kafka lists what it has and says so (a shard that
            // moved away meanwhile is simply not listed).
            resp.error_code = wire_code(r.error);
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
