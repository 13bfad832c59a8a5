// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Metadata (key 3): brokers, cluster id, controller and topics, versions 0-12, from the
// metadata image; unknown topics are auto-created as Kafka's KRaft brokers do.
#pragma once

#include <asio/awaitable.hpp>
#include <vector>

#include "broker/cluster_metadata.h"
#include "broker/request_context.h"
#include "broker/version_range.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

struct metadata_handler {
    using request = msg::metadata_request;
    using response = msg::metadata_response;
    static constexpr msg::api_key key = msg::api_key::metadata;
    static constexpr version_range supported{0, 12};

    // Answers from the current image. Named topics that do not exist are handed to the
    // controller's auto-creation when the request allows it (always before v4) and the
    // broker's auto.create.topics.enable does; the response reports them as the
    // controller says (UNKNOWN_TOPIC_OR_PARTITION while being created, as Kafka 3.9's
    // AutoTopicCreationManager does), and the client asks again.
    static asio::awaitable<response> handle(request_context& ctx, request&& req);

    // The answer for `req` given `image` and the auto-creation statuses of topics missing
    // from it (a missing topic without a status is UNKNOWN_TOPIC_OR_PARTITION or
    // INVALID_TOPIC_EXCEPTION). Pure: for the handler and its unit tests.
    static response answer(const request_context& ctx, const request& req,
                           const metadata::metadata_image& image,
                           const std::vector<auto_create_status>& created);

    // The names `req` asks for that `image` lacks, once each, in request order (empty
    // when the request asks for all topics or by id).
    static std::vector<std::string> missing_topics(const request_context& ctx, const request& req,
                                                   const metadata::metadata_image& image);
};

}  // namespace eddy::broker
