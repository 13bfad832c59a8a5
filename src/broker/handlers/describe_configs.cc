// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_configs.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "broker/broker_loggers.h"
#include "broker/cluster_metadata.h"
#include "eddy/error_code.h"

namespace eddy::broker {

asio::awaitable<describe_configs_handler::response> describe_configs_handler::handle(request_context& ctx,
                                                                 request&& req) {
    // The server always wires the metadata service; a bare broker_info (unit tests of
    // other handlers) has nothing to answer from.
    if (!ctx.broker->metadata) co_return response{};
    // A resource type Kafka does not know fails the whole request (ConfigHelper throws
    // before any resource is looked at): every entry INVALID_REQUEST, no configs.
    // Kafka's ConfigResource.Type ids: TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP.
    auto unknown_type = [](const request::describe_configs_resource& r) {
        constexpr std::array<int8_t, 5> known{2, 4, broker_logger_resource_type, 16, 32};
        return std::find(known.begin(), known.end(), r.resource_type) == known.end();
    };
    if (std::any_of(req.resources.begin(), req.resources.end(), unknown_type)) {
        response out;
        for (const auto& r : req.resources) {
            response::describe_configs_result result;
            result.error_code = wire_code(error_code::invalid_request);
            result.error_message = std::string(invalid_request_message);
            result.resource_type = r.resource_type;
            result.resource_name = r.resource_name;
            out.results.push_back(std::move(result));
        }
        co_return out;
    }
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
