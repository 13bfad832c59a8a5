// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_for_leader_epoch.h"

#include <memory>
#include <utility>
#include <vector>

namespace eddy::broker {

namespace {

// One partition to answer for, and where its answer goes.
struct epoch_query {
    std::pair<size_t, size_t> slot;  // (topic, partition) in the response
    int32_t current = -1;
    int32_t wanted = -1;
};

struct epoch_answer {
    error_code error = error_code::none;
    int32_t epoch = -1;
    int64_t end_offset = -1;
};

}  // namespace

asio::awaitable<offset_for_leader_epoch_handler::response> offset_for_leader_epoch_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    response resp;
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<epoch_query> queries;
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.topic = topic.topic;
        for (const auto& part : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition = part.partition;
            auto found = replicas.lookup(topic.topic, part.partition);
            if (!found.p) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            targets.push_back(std::move(found.p));
            queries.push_back({.slot = {resp.topics.size() - 1, rt.partitions.size() - 1},
                               .current = part.current_leader_epoch,
                               .wanted = part.leader_epoch});
        }
    }
    if (targets.empty()) co_return resp;
    // Every partition answered on its own strand at the same time. Built outside the
    // co_await: GCC 12 destroys temporaries of a co_await expression (here the vector and
    // the lambda) while the hop still uses them.
    auto hop = cluster::replica_manager::on_each(
        std::move(targets), [queries](cluster::partition& p, size_t i) {
            epoch_answer out;
            out.error = p.check_epoch(queries[i].current);
            if (out.error != error_code::none || p.get_log() == nullptr) {
                if (out.error == error_code::none) out.error = error_code::not_leader_or_follower;
                return out;
            }
            auto [epoch, end] = p.get_log()->end_offset_for_epoch(queries[i].wanted);
            out.epoch = epoch;
            out.end_offset = end;
            return out;
        });
    std::vector<epoch_answer> answers = co_await std::move(hop);
    for (size_t i = 0; i < answers.size(); ++i) {
        auto& rp = resp.topics[queries[i].slot.first].partitions[queries[i].slot.second];
        rp.error_code = wire_code(answers[i].error);
        rp.leader_epoch = answers[i].epoch;
        rp.end_offset = answers[i].end_offset;
    }
    co_return resp;
}

}  // namespace eddy::broker
