// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_groups.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<describe_groups_handler::response> describe_groups_handler::handle(
    request_context& ctx, request&& req) {
    using described = response::described_group;
    const int16_t version = ctx.api_version;
    const std::vector<std::string> ids = req.groups;
    auto call = for_each_group<described>(
        ctx, req.groups, [](const std::string& id) { return id; },
        [version](group::coordinator_shard& shard, const std::string& id, int64_t) {
            return shard.describe_group(id, version);
        });
    std::vector<group::outcome<described>> results = co_await std::move(call);
    response resp;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (results[i].error == error_code::none) {
            resp.groups.push_back(std::move(results[i].response));
            continue;
        }
        // DescribeGroupsResponse.groupError: unknown state, protocol type and protocol.
        described& g = resp.groups.emplace_back();
        g.group_id = ids[i];
        g.error_code = wire_code(results[i].error);
    }
    co_return resp;
}

}  // namespace eddy::broker
