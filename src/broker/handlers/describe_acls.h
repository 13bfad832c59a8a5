// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeAcls (key 29), versions 0-3. Eddy has no authorizer, so it answers as a Kafka
// broker without authorizer.class.name does: SECURITY_DISABLED, no ACLs.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_acls_request.h"
#include "eddy/msg/describe_acls_response.h"

namespace eddy::broker {

struct describe_acls_handler {
    using request = msg::describe_acls_request;
    using response = msg::describe_acls_response;
    static constexpr msg::api_key key = msg::api_key::describe_acls;
    static constexpr version_range supported{0, 3};

    static response handle(request_context& ctx, request&& req);
};

}  // namespace eddy::broker
