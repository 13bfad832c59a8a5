// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_fetch.h"

#include "broker/handlers/group_routing.h"

namespace eddy::broker {
namespace {

using request_group = msg::offset_fetch_request::offset_fetch_request_group;
using response_group = msg::offset_fetch_response::offset_fetch_response_group;

// Versions 0-7 ask for one group; the shard answers in the v8 shape.
request_group as_group(const msg::offset_fetch_request& req) {
    request_group g;
    g.group_id = req.group_id;
    if (!req.topics) {
        g.topics = std::nullopt;
        return g;
    }
    g.topics.emplace();
    for (const auto& t : *req.topics) g.topics->push_back({t.name, t.partition_indexes, {}});
    return g;
}

// OffsetFetchRequest.getErrorResponse for versions 0-7: before v2 the error goes on every
// asked partition (offset -1, empty metadata); from v2 it is the top-level error.
msg::offset_fetch_response single_group_error(const msg::offset_fetch_request& req,
                                              int16_t version, int16_t error) {
    msg::offset_fetch_response resp;
    if (version >= 2) {
        resp.error_code = error;
        return resp;
    }
    for (const auto& t : req.topics.value_or(std::vector<msg::offset_fetch_request::offset_fetch_request_topic>{})) {
        auto& rt = resp.topics.emplace_back();
        rt.name = t.name;
        for (int32_t p : t.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p;
            rp.committed_offset = -1;
            rp.metadata = std::string();
            rp.error_code = error;
        }
    }
    return resp;
}

msg::offset_fetch_response single_group_reply(response_group&& g) {
    msg::offset_fetch_response resp;
    resp.error_code = g.error_code;
    for (auto& t : g.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = std::move(t.name);
        for (auto& p : t.partitions) {
            rt.partitions.push_back(
                {p.partition_index, p.committed_offset, p.committed_leader_epoch, std::move(p.metadata), p.error_code, {}});
        }
    }
    return resp;
}

}  // namespace

asio::awaitable<offset_fetch_handler::response> offset_fetch_handler::handle(request_context& ctx,
                                                                             request&& req) {
    const int16_t version = ctx.api_version;
    const bool require_stable = req.require_stable;
    std::vector<request_group> groups;
    if (version >= 8) groups = req.groups;
    else groups.push_back(as_group(req));
    auto call = for_each_group<response_group>(
        ctx, groups, [](const request_group& g) { return g.group_id; },
        [version, require_stable](group::coordinator_shard& shard, const request_group& g, int64_t) {
            return shard.offset_fetch(g, version, require_stable);
        });
    std::vector<group::outcome<response_group>> results = co_await std::move(call);
    for (size_t i = 0; i < groups.size(); ++i) {
        if (results[i].error == error_code::none) continue;
        results[i].response = response_group{};
        results[i].response.group_id = groups[i].group_id;
        results[i].response.error_code = wire_code(results[i].error);
    }
    if (version < 8) {
        response_group& g = results.front().response;
        if (g.error_code != 0) co_return single_group_error(req, version, g.error_code);
        co_return single_group_reply(std::move(g));
    }
    response resp;
    for (auto& r : results) resp.groups.push_back(std::move(r.response));
    co_return resp;
}

}  // namespace eddy::broker
