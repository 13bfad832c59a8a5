// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/txn_offset_commit.h"

#include <map>
#include <utility>

#include "broker/handlers/group_routing.h"
#include "txn/txn_coordinator_shard.h"

namespace eddy::broker {
namespace {

using request = txn_offset_commit_handler::request;
using response = txn_offset_commit_handler::response;

// True when the partition exists in the metadata image (Kafka's metadataCache.contains).
bool known_partition(const metadata::image_ptr& image, const std::string& topic,
                     int32_t partition) {
    const metadata::topic_image* t = image->topic(topic);
    return t != nullptr && t->partitions.count(partition) > 0;
}

}  // namespace

asio::awaitable<response> txn_offset_commit_handler::handle(request_context& ctx, request&& req) {
    const int16_t version = ctx.api_version;
    // Partitions that do not exist are answered here, as Kafka's KafkaApis does; only the
    // others go to the group's shard. Without a metadata view (tests) every one goes.
    const bool check = ctx.broker != nullptr && ctx.broker->metadata != nullptr;
    const metadata::image_ptr image = current_image(ctx);
    request forwarded = req;
    forwarded.topics.clear();
    for (const auto& t : req.topics) {
        auto& ft = forwarded.topics.emplace_back();
        ft.name = t.name;
        for (const auto& p : t.partitions) {
            if (!check || known_partition(image, t.name, p.partition_index))
                ft.partitions.push_back(p);
        }
        if (ft.partitions.empty()) forwarded.topics.pop_back();
    }

    group::outcome<response> r;
    if (!forwarded.topics.empty()) {
        const std::string group_id = forwarded.group_id;
        auto op = [forwarded, version](group::coordinator_shard& shard, int64_t now,
                                       group::reply<response> done) {
            done(shard.txn_offset_commit(forwarded, version, now));
        };
        auto call = on_group_shard<response>(ctx, group_id, std::move(op));
        r = co_await std::move(call);
    }

    // The answer in the request's order: the shard's error or answer per partition (an
    // unreachable shard's error on all of them), UNKNOWN_TOPIC_OR_PARTITION for the rest.
    std::map<std::pair<std::string, int32_t>, int16_t> answered;
    for (const auto& t : r.response.topics) {
        for (const auto& p : t.partitions) answered[{t.name, p.partition_index}] = p.error_code;
    }
    response resp;
    for (const auto& t : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = t.name;
        for (const auto& p : t.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p.partition_index;
            error_code e = error_code::unknown_topic_or_partition;
            if (!check || known_partition(image, t.name, p.partition_index)) {
                e = r.error != error_code::none
                        ? r.error
                        : static_cast<error_code>(answered[{t.name, p.partition_index}]);
            }
            // Before v3 clients know a fenced producer as INVALID_PRODUCER_EPOCH.
            rp.error_code = wire_code(txn::client_error(ctx.api_key, version, e));
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
