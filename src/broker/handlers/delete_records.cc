// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/delete_records.h"

#include <chrono>

namespace eddy::broker {

asio::awaitable<delete_records_handler::response> delete_records_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    response resp;
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = topic.name;
        for (const auto& part : topic.partitions) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = part.partition_index;
            rp.low_watermark = -1;
            auto found = replicas.lookup(topic.name, part.partition_index);
            if (!found.p) {
                rp.error_code = static_cast<int16_t>(found.error);
                continue;
            }
            int64_t offset = part.offset;
            // Built outside the co_await: GCC 12 destroys temporaries of a co_await expression
            // (here the partition pointer and the lambda) while the hop still uses them.
            auto hop = cluster::replica_manager::on(
                found.p, [offset, now](cluster::partition& p) { return p.delete_records(offset, now); });
            auto [error, low] = co_await std::move(hop);
            rp.error_code = static_cast<int16_t>(error);
            rp.low_watermark = low;
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
