// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_producers.h"

#include <memory>
#include <utility>
#include <vector>

namespace eddy::broker {

asio::awaitable<describe_producers_handler::response> describe_producers_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    using partition_response = response::partition_response;
    response resp;
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<std::pair<size_t, size_t>> slots;  // (topic, partition) in the response
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = topic.name;
        for (int32_t index : topic.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = index;
            auto found = replicas.lookup(topic.name, index);
            if (!found.p) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            targets.push_back(std::move(found.p));
            slots.emplace_back(resp.topics.size() - 1, rt.partitions.size() - 1);
        }
    }
    if (targets.empty()) co_return resp;
    // Read on each partition's strand, which owns its producer state, all at the same
    // time. Built outside the co_await: GCC 12 destroys temporaries of a co_await
    // expression (here the vector and the lambda) while the hop still uses them.
    auto hop = cluster::replica_manager::on_each(std::move(targets), [](cluster::partition& p, size_t) {
        partition_response rp;
        const log::log* l = p.get_log();
        if (!l) {
            rp.error_code = wire_code(error_code::not_leader_or_follower);
            return rp;
        }
        for (const auto& [producer_id, entry] : l->producers().producers()) {
            auto& s = rp.active_producers.emplace_back();
            s.producer_id = producer_id;
            s.producer_epoch = entry.epoch;
            s.last_sequence = entry.last_seq();
            s.last_timestamp = entry.last_timestamp;
            s.coordinator_epoch = entry.coordinator_epoch;
            s.current_txn_start_offset = entry.current_txn_first_offset.value_or(-1);
        }
        return rp;
    });
    std::vector<partition_response> answers = co_await std::move(hop);
    for (size_t i = 0; i < answers.size(); ++i) {
        auto& rp = resp.topics[slots[i].first].partitions[slots[i].second];
        answers[i].partition_index = rp.partition_index;
        rp = std::move(answers[i]);
    }
    co_return resp;
}

}  // namespace eddy::broker
