// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_groups.h"

#include "broker/handlers/group_operations.h"
#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<describe_groups_handler::response> describe_groups_handler::handle(
    request_context& ctx, request&& req) {
    using described = response::described_group;
    const int16_t version = ctx.api_version;
    const std::vector<std::string> ids = req.groups;
    const bool with_operations = version >= 3 && req.include_authorized_operations;
    auto call = for_each_group<described>(
        ctx, req.groups, [](const std::string& id) { return id; },
        [version](group::coordinator_shard& shard, const std::string& id, int64_t) {
            return shard.describe_group(id, version);
        });
    std::vector<group::outcome<described>> results = co_await std::move(call);
    response resp;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (results[i].error == error_code::none) {
            described& g = resp.groups.emplace_back(std::move(results[i].response));
            // KafkaApis reports the operations of every group described without an error,
            // a Dead (unknown) one included.
            if (with_operations && g.error_code == 0)
                g.authorized_operations = group_authorized_operations;
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
