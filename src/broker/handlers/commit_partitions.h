// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What OffsetCommit and TxnOffsetCommit share: Kafka's KafkaApis answers the partitions
// the metadata does not know with UNKNOWN_TOPIC_OR_PARTITION itself, and only the others
// reach the group coordinator, so nothing is stored for a topic that does not exist.
#pragma once

#include <map>
#include <string>
#include <utility>

#include <asio/awaitable.hpp>

#include "broker/handlers/group_routing.h"
#include "broker/request_context.h"
#include "eddy/error_code.h"

namespace eddy::broker {

class commit_partitions {
public:
    // Without a metadata view (handler tests) every partition counts as known.
    explicit commit_partitions(const request_context& ctx)
        : check_(ctx.broker != nullptr && ctx.broker->metadata != nullptr), image_(current_image(ctx)) {}

    bool known(const std::string& topic, int32_t partition) const {
        if (!check_) return true;
        const metadata::topic_image* t = image_->topic(topic);
        return t != nullptr && t->partitions.count(partition) > 0;
    }

    // The request with the known partitions only; a topic left without any is dropped.
    template <class Request>
    Request known_only(const Request& req) const {
        Request out = req;
        out.topics.clear();
        for (const auto& t : req.topics) {
            auto& ot = out.topics.emplace_back();
            ot.name = t.name;
            for (const auto& p : t.partitions) {
                if (known(t.name, p.partition_index)) ot.partitions.push_back(p);
            }
            if (ot.partitions.empty()) out.topics.pop_back();
        }
        return out;
    }

    // The answer in the request's order: UNKNOWN_TOPIC_OR_PARTITION for an unknown
    // partition; for a known one the coordinator's error when it could not be reached,
    // else its answer. `client_code(e)` gives each the version's wire code.
    template <class Response, class Request, class ClientCode>
    Response answer(const Request& req, const group::outcome<Response>& r, ClientCode client_code) const {
        std::map<std::pair<std::string, int32_t>, int16_t> answered;
        for (const auto& t : r.response.topics) {
            for (const auto& p : t.partitions) answered[{t.name, p.partition_index}] = p.error_code;
        }
        Response resp;
        for (const auto& t : req.topics) {
            auto& rt = resp.topics.emplace_back();
            rt.name = t.name;
            for (const auto& p : t.partitions) {
                auto& rp = rt.partitions.emplace_back();
                rp.partition_index = p.partition_index;
                error_code e = error_code::unknown_topic_or_partition;
                if (known(t.name, p.partition_index)) {
                    e = r.error != error_code::none
                            ? r.error
                            : static_cast<error_code>(answered[{t.name, p.partition_index}]);
                }
                rp.error_code = client_code(e);
            }
        }
        return resp;
    }

private:
    bool check_;
    metadata::image_ptr image_;
};

// The known partitions of `req` go to the group's shard, which answers them with
// commit(shard, forwarded_request, now_ms); the others are answered here. A request of
// unknown partitions only is answered without the coordinator, as Kafka does, so it
// neither creates __consumer_offsets nor checks the group.
template <class Response, class Request, class Commit, class ClientCode>
asio::awaitable<Response> commit_known_partitions(request_context& ctx, const Request& req, Commit commit,
                                                  ClientCode client_code) {
    const commit_partitions partitions(ctx);
    Request forwarded = partitions.known_only(req);
    group::outcome<Response> r;
    if (!forwarded.topics.empty()) {
        const std::string group_id = forwarded.group_id;
        auto op = [forwarded, commit](group::coordinator_shard& shard, int64_t now, group::reply<Response> done) {
            done(commit(shard, forwarded, now));
        };
        auto call = on_group_shard<Response>(ctx, group_id, std::move(op));
        r = co_await std::move(call);
    }
    co_return partitions.answer(req, r, client_code);
}

}  // namespace eddy::broker
