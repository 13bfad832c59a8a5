// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_delete.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "broker/handlers/commit_partitions.h"
#include "broker/handlers/group_routing.h"

namespace eddy::broker {
namespace {

using deleted_topic = offset_delete_handler::response::offset_delete_response_topic;

deleted_topic& answer_for_topic(offset_delete_handler::response& resp, const std::string& name) {
    auto it = std::find_if(resp.topics.begin(), resp.topics.end(),
                           [&name](const deleted_topic& t) { return t.name == name; });
    if (it != resp.topics.end()) return *it;
    deleted_topic& added = resp.topics.emplace_back();
    added.name = name;
    return added;
}

// Kafka's OffsetDeleteResponse.Builder.merge: a group-level error from the coordinator
// replaces what was answered here; otherwise its partitions join those answered here,
// under the same topic where there is one.
offset_delete_handler::response merge_answers(offset_delete_handler::response answered,
                                              offset_delete_handler::response from_group) {
    if (from_group.error_code != 0 || answered.topics.empty()) return from_group;
    for (deleted_topic& t : from_group.topics) {
        deleted_topic& into = answer_for_topic(answered, t.name);
        std::move(t.partitions.begin(), t.partitions.end(), std::back_inserter(into.partitions));
    }
    return answered;
}

}  // namespace

asio::awaitable<offset_delete_handler::response> offset_delete_handler::handle(
    request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    // As KafkaApis does, the partitions the metadata does not have are answered
    // UNKNOWN_TOPIC_OR_PARTITION here and only the others reach the coordinator. It is
    // asked even when none is left, so a missing group still gets its group error.
    const commit_partitions partitions(ctx);
    response answered;
    for (const auto& t : req.topics) {
        for (const auto& p : t.partitions) {
            if (partitions.known(t.name, p.partition_index)) continue;
            auto& rp = answer_for_topic(answered, t.name).partitions.emplace_back();
            rp.partition_index = p.partition_index;
            rp.error_code = wire_code(error_code::unknown_topic_or_partition);
        }
    }
    request forwarded = partitions.known_only(req);
    const std::string group_id = forwarded.group_id;
    auto op = [forwarded = std::move(forwarded), version](
                  group::coordinator_shard& shard, int64_t now, group::reply<response> done) {
        done(shard.offset_delete(forwarded, version, now));
    };
    auto call = answer_on_group_shard<response>(ctx, group_id, std::move(op));
    response from_group = co_await std::move(call);
    co_return merge_answers(std::move(answered), std::move(from_group));
}

}  // namespace eddy::broker
