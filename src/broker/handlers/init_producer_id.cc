// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/init_producer_id.h"

#include "broker/producer_ids.h"

namespace eddy::broker {

asio::awaitable<init_producer_id_handler::response> init_producer_id_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    auto fail = [&resp](error_code e) {
        resp.error_code = static_cast<int16_t>(e);
        resp.producer_id = -1;
        resp.producer_epoch = -1;
        return resp;
    };
    // v3+ carries the producer's current id and epoch (KIP-360): both or neither.
    if ((req.producer_id == -1) != (req.producer_epoch == -1)) {
        co_return fail(error_code::invalid_request);
    }
    if (req.transactional_id) {
        // Kafka refuses an empty transactional id; a real one needs the transaction
        // coordinator (FindCoordinator answers COORDINATOR_NOT_AVAILABLE for it too).
        co_return fail(req.transactional_id->empty() ? error_code::invalid_request
                                                     : error_code::coordinator_not_available);
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
