// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CreateAcls (key 30), versions 0-3. Eddy has no authorizer, so, as a Kafka broker without
// authorizer.class.name, it refuses every creation with SECURITY_DISABLED.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/create_acls_request.h"
#include "eddy/msg/create_acls_response.h"

namespace eddy::broker {

struct create_acls_handler {
    using request = msg::create_acls_request;
    using response = msg::create_acls_response;
    static constexpr msg::api_key key = msg::api_key::create_acls;
    static constexpr version_range supported{0, 3};

    static response handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
