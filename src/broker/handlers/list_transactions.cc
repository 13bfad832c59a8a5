// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/list_transactions.h"

#include <algorithm>

#include "broker/txn_routing.h"

namespace eddy::broker {

asio::awaitable<list_transactions_handler::response> list_transactions_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    // Filters naming no state Kafka knows are echoed back (and match nothing), also when no
    // shard is hosted here.
    for (const std::string& name : req.state_filters)
        if (!txn::state_from_name(name)) resp.unknown_state_filters.push_back(name);
    txn::txn_runtime* rt = ctx.broker->txns.get();
    if (rt == nullptr) co_return resp;
    const int64_t duration = ctx.api_version >= 1 ? req.duration_filter : -1;
    auto op = [states = req.state_filters, ids = req.producer_id_filters, duration](
                  txn::txn_coordinator_shard& shard, int64_t now) {
        return shard.list(states, ids, duration, now);
    };
    // Every hosted shard in turn; one still loading makes the answer incomplete, which
    // Kafka reports as COORDINATOR_LOAD_IN_PROGRESS.
    for (int32_t partition : rt->hosted_partitions()) {
        auto call = rt->call<txn::list_txns_result>(partition, op);
        txn::outcome<txn::list_txns_result> r = co_await std::move(call);
        if (r.error == error_code::coordinator_load_in_progress) {
            resp.error_code = wire_code(r.error);
            resp.transaction_states.clear();
            co_return resp;
        }
        if (r.error != error_code::none) continue;  // moved away meanwhile
        for (txn::listed_txn& t : r.response.transactions) {
            auto& s = resp.transaction_states.emplace_back();
            s.transactional_id = std::move(t.transactional_id);
            s.producer_id = t.producer_id;
            s.transaction_state = std::move(t.state);
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
