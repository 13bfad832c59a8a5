// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/consumer_group_describe.h"

#include "broker/handlers/group_operations.h"
#include "broker/handlers/group_routing.h"

namespace eddy::broker {

asio::awaitable<consumer_group_describe_handler::response>
consumer_group_describe_handler::handle(request_context& ctx, request&& req) {
    using described = response::described_group;
    response resp;
    auto failed = [&resp](const std::string& id, error_code e) {
        described& g = resp.groups.emplace_back();
        g.group_id = id;
        g.error_code = wire_code(e);
    };
    if (!consumer_protocol_enabled(ctx)) {
        for (const std::string& id : req.group_ids) failed(id, error_code::unsupported_version);
        co_return resp;
    }
    // An empty id is refused here, as Kafka's GroupCoordinatorService does, without asking
    // a shard.
    std::vector<std::string> asked;
    for (const std::string& id : req.group_ids)
        if (!id.empty()) asked.push_back(id);
    const int16_t version = ctx.api_version;
    const group::topic_view topics = topics_of(current_image(ctx));
    auto call = for_each_group<described>(
        ctx, asked, [](const std::string& id) { return id; },
        [version, topics](group::coordinator_shard& shard, const std::string& id, int64_t) {
            return shard.consumer_group_describe(id, version, topics);
        });
    std::vector<group::outcome<described>> results = co_await std::move(call);
    size_t next = 0;
    for (const std::string& id : req.group_ids) {
        if (id.empty()) {
            failed(id, error_code::invalid_group_id);
            continue;
        }
        group::outcome<described>& r = results[next++];
        if (r.error != error_code::none) {
            failed(id, r.error);
            continue;
        }
        described& g = resp.groups.emplace_back(std::move(r.response));
        if (req.include_authorized_operations && g.error_code == 0)
            g.authorized_operations = group_authorized_operations;
    }
    co_return resp;
}

}  // namespace eddy::broker
