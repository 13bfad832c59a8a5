// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/end_txn.h"

#include "broker/txn_routing.h"

namespace eddy::broker {

asio::awaitable<end_txn_handler::response> end_txn_handler::handle(request_context& ctx,
                                                                   request&& req) {
    response resp;
    const std::string tid = req.transactional_id;
    // The reply waits for the PrepareCommit/PrepareAbort record; the runtime writes the
    // markers and CompleteCommit/CompleteAbort after it, as Kafka's coordinator does.
    auto op = [req = std::move(req)](txn::txn_coordinator_shard& shard, int64_t now) {
        return shard.end_txn(req.transactional_id, req.producer_id, req.producer_epoch,
                             req.committed, now);
    };
    auto call = txn_error_of(ctx, tid, std::move(op));
    resp.error_code = wire_code(co_await std::move(call));
    co_return resp;
}

}  // namespace eddy::broker
