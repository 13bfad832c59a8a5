// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_producers.h"

namespace eddy::broker {

asio::awaitable<describe_producers_handler::response> describe_producers_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    using partition_response = response::partition_response;
    response resp;
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = topic.name;
        for (int32_t index : topic.partition_indexes) {
            auto found = replicas.lookup(topic.name, index);
            if (!found.p) {
                auto& rp = rt.partitions.emplace_back();
                rp.partition_index = index;
                rp.error_code = static_cast<int16_t>(found.error);
                continue;
            }
            // Read on the partition's strand, which owns the producer state.
            auto hop = cluster::replica_manager::on(found.p, [index](cluster::partition& p) {
                partition_response rp;
                rp.partition_index = index;
                const log::log* l = p.get_log();
                if (!l) {
                    rp.error_code = static_cast<int16_t>(error_code::not_leader_or_follower);
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
            rt.partitions.push_back(co_await std::move(hop));
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
