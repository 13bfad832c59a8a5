// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_configs.h"

#include <utility>
#include <vector>

#include "broker/broker_loggers.h"
#include "broker/cluster_metadata.h"

namespace eddy::broker {

asio::awaitable<describe_configs_handler::response> describe_configs_handler::handle(request_context& ctx,
                                                                 request&& req) {
    // The server always wires the metadata service; a bare broker_info (unit tests of
    // other handlers) has nothing to answer from.
    if (!ctx.broker->metadata) co_return response{};
    // BROKER_LOGGER resources are this broker's own (Kafka's ConfigHelper answers them
    // where the request lands); the rest go to the controller, and the answers come back
    // in the order asked.
    std::vector<request::describe_configs_resource> all = std::move(req.resources);
    for (const auto& r : all) {
        if (r.resource_type != broker_logger_resource_type) req.resources.push_back(r);
    }
    response forwarded;
    if (!req.resources.empty()) {
        // A named awaitable: GCC 12 mishandles temporaries inside a co_await expression.
        auto operation = ctx.broker->metadata->describe_configs(std::move(req), ctx.api_version);
        forwarded = co_await std::move(operation);
    }
    response out;
    out.throttle_time_ms = forwarded.throttle_time_ms;
    out.results = answers_in_order(all, forwarded.results, [&](const request::describe_configs_resource& r) {
        return describe_broker_loggers(r, ctx.broker->node_id);
    });
    co_return out;
}

}  // namespace eddy::broker
