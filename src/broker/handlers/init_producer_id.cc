// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/init_producer_id.h"

#include "broker/producer_ids.h"
#include "txn/runtime/txn_runtime.h"

namespace eddy::broker {
namespace {

// A producer id for the transaction coordinator to hand out if it needs a new one: a spare
// from an earlier call, else a fresh one from the controller's blocks.
asio::awaitable<producer_id_result> candidate_id(const request_context& ctx) {
    if (std::optional<int64_t> spare = ctx.broker->txns->take_spare_producer_id())
        co_return producer_id_result{error_code::none, *spare};
    if (!ctx.broker->producer_ids)
        co_return producer_id_result{error_code::coordinator_not_available, -1};
    auto allocation = ctx.broker->producer_ids->next();
    co_return co_await std::move(allocation);
}

}  // namespace

asio::awaitable<init_producer_id_handler::response> init_producer_id_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    auto fail = [&resp, &ctx](error_code e) {
        resp.error_code = wire_code(txn::client_error(ctx.api_key, ctx.api_version, e));
        resp.producer_id = -1;
        resp.producer_epoch = -1;
        return resp;
    };
    // v3+ carries the producer's current id and epoch (KIP-360): both or neither.
    if ((req.producer_id == -1) != (req.producer_epoch == -1)) {
        co_return fail(error_code::invalid_request);
    }
    if (req.transactional_id) {
        // Kafka refuses an empty transactional id before looking for its coordinator.
        if (req.transactional_id->empty()) co_return fail(error_code::invalid_request);
        if (!ctx.broker->txns) co_return fail(error_code::coordinator_not_available);
        txn::txn_runtime& rt = *ctx.broker->txns;
        // Checked before the coordinator is looked for, as Kafka's coordinator does.
        if (req.transaction_timeout_ms <= 0 ||
            req.transaction_timeout_ms > rt.config().coordinator.transaction_max_timeout_ms)
            co_return fail(error_code::invalid_transaction_timeout);
        const int32_t partition = rt.partition_of(*req.transactional_id);
        // Not the coordinator (or still loading): said before a producer id is fetched.
        if (error_code e = rt.status(partition); e != error_code::none) co_return fail(e);
        auto id_wait = candidate_id(ctx);
        producer_id_result candidate = co_await std::move(id_wait);
        if (candidate.error != error_code::none) co_return fail(candidate.error);
        std::optional<txn::producer_id_and_epoch> expected;
        if (req.producer_id != -1) expected = txn::producer_id_and_epoch{req.producer_id, req.producer_epoch};
        auto call = rt.init_producer_id(partition, *req.transactional_id, req.transaction_timeout_ms,
                                        expected, candidate.producer_id);
        txn::outcome<txn::init_producer_id_result> r = co_await std::move(call);
        error_code e = r.error;
        if (e == error_code::none) e = r.response.error;
        if (e != error_code::none) co_return fail(e);
        resp.producer_id = r.response.producer_id;
        resp.producer_epoch = r.response.producer_epoch;
        co_return resp;
    }
    if (!ctx.broker->producer_ids) co_return fail(error_code::coordinator_not_available);
    // An idempotent producer always gets a fresh id at epoch 0, also when it asks to bump
    // its epoch after an error, as Kafka's coordinator answers a null transactional id.
    auto allocation = ctx.broker->producer_ids->next();
    producer_id_result id = co_await std::move(allocation);
    if (id.error != error_code::none) co_return fail(id.error);
    resp.producer_id = id.producer_id;
    resp.producer_epoch = 0;
    co_return resp;
}

}  // namespace eddy::broker
