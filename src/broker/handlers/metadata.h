// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Metadata (key 3): brokers, cluster id, controller and topics, versions 0-12.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"

namespace eddy::broker {

struct metadata_handler {
    using request = msg::metadata_request;
    using response = msg::metadata_response;
    static constexpr msg::api_key key = msg::api_key::metadata;
    static constexpr version_range supported{0, 12};

    // No topics exist yet: every named topic is reported unknown.
    static response handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
