// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/incremental_alter_configs.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "broker/broker_loggers.h"
#include "broker/cluster_metadata.h"

namespace eddy::broker {

asio::awaitable<incremental_alter_configs_handler::response> incremental_alter_configs_handler::handle(request_context& ctx,
                                                                 request&& req) {
    // The server always wires the metadata service; a bare broker_info (unit tests of
    // other handlers) has nothing to answer from.
    if (!ctx.broker->metadata) co_return response{};
    // BROKER_LOGGER resources change this broker's loggers here, as Kafka's broker does
    // before it forwards the rest to the controller; the answers keep the request's order.
    const bool validate_only = req.validate_only;
    std::vector<request::alter_configs_resource> all = std::move(req.resources);
    std::map<std::string, int> logger_resources;
    for (const auto& r : all) {
        if (r.resource_type == broker_logger_resource_type) {
            ++logger_resources[r.resource_name];
        } else {
            req.resources.push_back(r);
        }
    }
    response forwarded;
    if (!req.resources.empty()) {
        // A named awaitable: GCC 12 mishandles temporaries inside a co_await expression.
        auto operation = ctx.broker->metadata->incremental_alter_configs(std::move(req), ctx.api_version);
        forwarded = co_await std::move(operation);
    }
    response out;
    out.throttle_time_ms = forwarded.throttle_time_ms;
    out.responses = answers_in_order(all, forwarded.responses, [&](const request::alter_configs_resource& r) {
        return alter_broker_loggers(r, ctx.broker->node_id, validate_only,
                                    logger_resources[r.resource_name] > 1);
    });
    co_return out;
}

}  // namespace eddy::broker
