// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DeleteAcls (key 31), versions 0-3. Eddy has no authorizer, so, as a Kafka broker without
// authorizer.class.name, it answers every filter with SECURITY_DISABLED and no match.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/delete_acls_request.h"
#include "eddy/msg/delete_acls_response.h"

namespace eddy::broker {

struct delete_acls_handler {
    using request = msg::delete_acls_request;
    using response = msg::delete_acls_response;
    static constexpr msg::api_key key = msg::api_key::delete_acls;
    static constexpr version_range supported{0, 3};

    static response handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
