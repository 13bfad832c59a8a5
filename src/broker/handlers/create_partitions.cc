// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/create_partitions.h"

#include "broker/cluster_metadata.h"

namespace eddy::broker {

asio::awaitable<create_partitions_handler::response> create_partitions_handler::handle(request_context& ctx,
                                                                 request&& req) {
    // The server always wires the metadata service; a bare broker_info (unit tests of
    // other handlers) has nothing to answer from.
    if (!ctx.broker->metadata) co_return response{};
    // A named awaitable: GCC 12 mishandles temporaries inside a co_await expression.
    auto operation = ctx.broker->metadata->create_partitions(std::move(req), ctx.api_version);
    co_return co_await std::move(operation);
}

}  // namespace eddy::broker
