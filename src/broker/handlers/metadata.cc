// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/metadata.h"

#include <algorithm>
#include <string_view>

#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

// Without an authorizer Kafka reports every operation a resource type supports:
// bits of AclOperation codes. Cluster: CREATE(5) ALTER(7) DESCRIBE(8)
// CLUSTER_ACTION(9) DESCRIBE_CONFIGS(10) ALTER_CONFIGS(11) IDEMPOTENT_WRITE(12).
constexpr int32_t all_cluster_operations =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
// Topic: READ(3) WRITE(4) CREATE(5) DELETE(6) ALTER(7) DESCRIBE(8)
// DESCRIBE_CONFIGS(10) ALTER_CONFIGS(11).
constexpr int32_t all_topic_operations =
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

// Kafka's topic name rule: 1-249 of [a-zA-Z0-9._-], and not "." or "..".
bool valid_topic_name(std::string_view name) {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

bool internal_topic(std::string_view name) {
    return name == "__consumer_offsets" || name == "__transaction_state";
}

using response_topic = metadata_handler::response::metadata_response_topic;

response_topic topic_error(error_code e, std::optional<std::string> name, codec::uuid id) {
    response_topic t;
    t.error_code = static_cast<int16_t>(e);
    t.is_internal = name && internal_topic(*name);
    t.name = std::move(name);
    t.topic_id = id;
    return t;
}

// Kafka answers a request it rejects with INVALID_REQUEST on every named topic and
// nothing else (MetadataRequest.getErrorResponse).
metadata_handler::response invalid_request_reply(const metadata_handler::request& req) {
    metadata_handler::response resp;
    for (const auto& t : *req.topics) {
        resp.topics.push_back(
            topic_error(error_code::invalid_request, t.name.value_or(std::string()), t.topic_id));
    }
    return resp;
}

}  // namespace

metadata_handler::response metadata_handler::handle(request_context& ctx, request&& req) {
    const int16_t v = ctx.api_version;
    const broker_info& broker = *ctx.broker;
    // v0 has no null array: there an empty list means "all topics".
    const bool all_topics = !req.topics || (v == 0 && req.topics->empty());

    if (!all_topics && v < 12) {
        for (const auto& t : *req.topics) {
            if (!t.name || !t.topic_id.is_zero()) return invalid_request_reply(req);
        }
    }

    response resp;
    // Brokers are listed with their address for the listener the request came on;
    // one without that listener is left out, as Kafka does.
    if (const advertised_endpoint* ep = broker.endpoint_for(ctx.client->listener_name)) {
        response::metadata_response_broker b;
        b.node_id = broker.node_id;
        b.host = ep->host;
        b.port = ep->port;
        if (!broker.rack.empty()) b.rack = broker.rack;
        resp.brokers.push_back(std::move(b));
    }
    resp.cluster_id = broker.cluster_id;
    // In KRaft mode clients are given a live broker as "controller"; here that is us.
    resp.controller_id = broker.node_id;

    if (!all_topics) {
        std::vector<codec::uuid> ids;
        for (const auto& t : *req.topics) {
            if (!t.topic_id.is_zero() && std::find(ids.begin(), ids.end(), t.topic_id) == ids.end())
                ids.push_back(t.topic_id);
        }
        if (!ids.empty()) {
            // Asked by id: no topic has an id yet, and names in the same request are
            // ignored, as in Kafka.
            for (const codec::uuid& id : ids)
                resp.topics.push_back(topic_error(error_code::unknown_topic_id, std::nullopt, id));
        } else {
            std::vector<std::optional<std::string>> names;
            for (const auto& t : *req.topics) {
                if (std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);
            }
            for (auto& name : names) {
                bool valid = name && valid_topic_name(*name);
                resp.topics.push_back(topic_error(
                    valid ? error_code::unknown_topic_or_partition : error_code::invalid_topic_exception,
                    std::move(name), codec::uuid{}));
            }
        }
    }

    if (v >= 8) {
        if (v <= 10 && req.include_cluster_authorized_operations)
            resp.cluster_authorized_operations = all_cluster_operations;
        if (req.include_topic_authorized_operations) {
            for (auto& t : resp.topics) {
                if (t.error_code != static_cast<int16_t>(error_code::unknown_topic_id))
                    t.topic_authorized_operations = all_topic_operations;
            }
        }
    }
    return resp;
}

}  // namespace eddy::broker
