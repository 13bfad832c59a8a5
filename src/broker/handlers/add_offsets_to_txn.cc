// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/add_offsets_to_txn.h"

#include "broker/txn_routing.h"
#include "group/runtime/coordinator_runtime.h"
#include "group/runtime/partition_for.h"

namespace eddy::broker {

asio::awaitable<add_offsets_to_txn_handler::response> add_offsets_to_txn_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    // The group's partition of __consumer_offsets, as its group coordinator counts it.
    int32_t offsets_partition = 0;
    if (ctx.broker->groups) offsets_partition = ctx.broker->groups->partition_of(req.group_id);
    else offsets_partition = group::partition_for(req.group_id, 50);
    const std::string tid = req.transactional_id;
    auto op = [req = std::move(req), offsets_partition](txn::txn_coordinator_shard& shard,
                                                        int64_t now) {
        return shard.add_offsets(req.transactional_id, req.producer_id, req.producer_epoch,
                                 offsets_partition, now);
    };
    auto call = txn_error_of(ctx, tid, std::move(op));
    resp.error_code = wire_code(co_await std::move(call));
    co_return resp;
}

}  // namespace eddy::broker
