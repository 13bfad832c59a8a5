// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// ApiVersions (key 18): which apis and versions this broker serves, and its features.
#pragma once

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/api_versions_request.h"
#include "eddy/msg/api_versions_response.h"

namespace eddy::broker {

struct api_versions_handler {
    using request = msg::api_versions_request;
    using response = msg::api_versions_response;
    static constexpr msg::api_key key = msg::api_key::api_versions;
    static constexpr version_range supported{0, 4};

    static response handle(request_context& ctx, request&& req);

    // Kafka's answer to an ApiVersions version it does not know: encoded as v0,
    // error UNSUPPORTED_VERSION, and only the ApiVersions entry, so the client can
    // retry with a version in that range.
    static response unsupported_version_reply();
};

}  // namespace eddy::broker
