// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/list_offsets.h"

namespace eddy::broker {

asio::awaitable<list_offsets_handler::response> list_offsets_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    response resp;
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = topic.name;
        for (const auto& part : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = part.partition_index;
            auto found = replicas.lookup(topic.name, part.partition_index);
            if (!found.p) {
                rp.error_code = static_cast<int16_t>(found.error);
                continue;
            }
            int32_t epoch = part.current_leader_epoch;
            int64_t timestamp = part.timestamp;
            // Kafka applies the isolation level to consumers' requests (replica id -1)
            // only; read_committed answers below the last stable offset.
            bool read_committed = req.replica_id == -1 && req.isolation_level == 1;
            // Built outside the co_await: GCC 12 destroys temporaries of a co_await expression
            // (here the partition pointer and the lambda) while the hop still uses them.
            auto hop = cluster::replica_manager::on(
                found.p, [epoch, timestamp, read_committed](cluster::partition& p) {
                    if (error_code e = p.check_epoch(epoch); e != error_code::none) {
                        cluster::offset_outcome o;
                        o.error = e;
                        return o;
                    }
                    return p.offset_for(timestamp, read_committed);
                });
            cluster::offset_outcome r = co_await std::move(hop);
            rp.error_code = static_cast<int16_t>(r.error);
            if (r.error != error_code::none) continue;
            rp.timestamp = r.timestamp;
            rp.offset = r.offset;
            rp.leader_epoch = r.leader_epoch;
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
