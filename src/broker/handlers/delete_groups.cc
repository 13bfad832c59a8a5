// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/delete_groups.h"

#include <algorithm>

#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<delete_groups_handler::response> delete_groups_handler::handle(
    request_context& ctx, request&& req) {
    // Kafka answers each distinct group once.
    std::vector<std::string> ids;
    for (const std::string& id : req.groups_names)
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    auto call = for_each_group<int16_t>(
        ctx, ids, [](const std::string& id) { return id; },
        [](group::coordinator_shard& shard, const std::string& id, int64_t now) {
            return shard.delete_group(id, now);
        });
    std::vector<group::outcome<int16_t>> results = co_await std::move(call);
    response resp;
    for (size_t i = 0; i < ids.size(); ++i) {
        auto& r = resp.results.emplace_back();
        r.group_id = ids[i];
        r.error_code = results[i].response;
        if (results[i].error != error_code::none) r.error_code = wire_code(results[i].error);
    }
    co_return resp;
}

}  // namespace eddy::broker
