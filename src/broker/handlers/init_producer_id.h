// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// InitProducerId (key 22), versions 0-5: a producer id and epoch for an idempotent
// producer, or, with a transactional id, from the transaction coordinator that owns it.
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/init_producer_id_request.h"
#include "eddy/msg/init_producer_id_response.h"

namespace eddy::broker {

struct init_producer_id_handler {
    using request = msg::init_producer_id_request;
    using response = msg::init_producer_id_response;
    static constexpr msg::api_key key = msg::api_key::init_producer_id;
    static constexpr version_range supported{0, 5};

    static asio::awaitable<response> handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
