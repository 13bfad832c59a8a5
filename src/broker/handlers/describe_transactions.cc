// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_transactions.h"

#include "broker/txn_routing.h"

namespace eddy::broker {

asio::awaitable<describe_transactions_handler::response> describe_transactions_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    // One call per id: DescribeTransactions is an admin request for a handful of ids.
    for (const std::string& id : req.transactional_ids) {
        auto& state = resp.transaction_states.emplace_back();
        state.transactional_id = id;
        if (id.empty()) {
            state.error_code = wire_code(error_code::invalid_request);
            continue;
        }
        auto op = [id](txn::txn_coordinator_shard& shard, int64_t) { return shard.describe(id); };
        auto call = on_txn_shard<txn::described_txn>(ctx, id, std::move(op));
        txn::outcome<txn::described_txn> r = co_await std::move(call);
        if (r.error != error_code::none) {
            state.error_code = wire_code(r.error);
            continue;
        }
        const txn::described_txn& d = r.response;
        state.error_code = wire_code(d.error);
        if (d.error != error_code::none) continue;
        state.transaction_state = d.state;
        state.transaction_timeout_ms = d.timeout_ms;
        state.transaction_start_time_ms = d.start_ms;
        state.producer_id = d.producer_id;
        state.producer_epoch = d.producer_epoch;
        for (const txn::topic_partition& tp : d.partitions) {
            if (state.topics.empty() || state.topics.back().topic != tp.topic)
                state.topics.emplace_back().topic = tp.topic;
            state.topics.back().partitions.push_back(tp.partition);
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
