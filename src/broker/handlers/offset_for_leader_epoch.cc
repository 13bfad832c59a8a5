// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/offset_for_leader_epoch.h"

namespace eddy::broker {

asio::awaitable<offset_for_leader_epoch_handler::response> offset_for_leader_epoch_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    response resp;
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.topic = topic.topic;
        for (const auto& part : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition = part.partition;
            auto found = replicas.lookup(topic.topic, part.partition);
            if (!found.p) {
                rp.error_code = static_cast<int16_t>(found.error);
                continue;
            }
            int32_t current = part.current_leader_epoch;
            int32_t wanted = part.leader_epoch;
            struct answer {
                error_code error = error_code::none;
                int32_t epoch = -1;
                int64_t end_offset = -1;
            };
            // Built outside the co_await: GCC 12 destroys temporaries of a co_await expression
            // (here the partition pointer and the lambda) while the hop still uses them.
            auto hop = cluster::replica_manager::on(
                found.p, [current, wanted](cluster::partition& p) {
                    answer out;
                    out.error = p.check_epoch(current);
                    if (out.error != error_code::none || p.get_log() == nullptr) {
                        if (out.error == error_code::none) out.error = error_code::not_leader_or_follower;
                        return out;
                    }
                    auto [epoch, end] = p.get_log()->end_offset_for_epoch(wanted);
                    out.epoch = epoch;
                    out.end_offset = end;
                    return out;
                });
            answer a = co_await std::move(hop);
            rp.error_code = static_cast<int16_t>(a.error);
            rp.leader_epoch = a.epoch;
            rp.end_offset = a.end_offset;
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
