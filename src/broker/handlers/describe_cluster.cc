// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_cluster.h"

#include <algorithm>
#include <string>
#include <utility>

#include "broker/cluster_metadata.h"
#include "broker/handlers/cluster_view.h"
#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

// Kafka's EndpointType ids.
constexpr int8_t broker_endpoint = 1;
constexpr int8_t controller_endpoint = 2;

describe_cluster_handler::response refuse(int16_t version, error_code from_v1, std::string message) {
    describe_cluster_handler::response out;
    // v0 has no endpoint type, so only a malformed request gets here: INVALID_REQUEST.
    out.error_code = wire_code(version == 0 ? error_code::invalid_request : from_v1);
    out.error_message = std::move(message);
    return out;
}

}  // namespace

describe_cluster_handler::response describe_cluster_handler::answer(
    const request_context& ctx, const request& req, const metadata::metadata_image& image) {
    // Kafka's AuthHelper.computeDescribeClusterResponse: the endpoint type must be one
    // Kafka knows, and a broker serves only BROKER.
    if (req.endpoint_type != broker_endpoint && req.endpoint_type != controller_endpoint) {
        return refuse(ctx.api_version, error_code::unsupported_endpoint_type,
                      "Unsupported endpoint type " + std::to_string(req.endpoint_type));
    }
    if (req.endpoint_type == controller_endpoint) {
        return refuse(ctx.api_version, error_code::mismatched_endpoint_type,
                      "The request was sent to an endpoint of type BROKER, but we wanted an "
                      "endpoint of type CONTROLLER");
    }

    response out;
    out.endpoint_type = broker_endpoint;
    out.cluster_id = ctx.broker->cluster_id;
    for (reachable_broker& r : reachable_brokers(ctx, image)) {
        auto& b = out.brokers.emplace_back();
        b.broker_id = r.id;
        b.host = std::move(r.host);
        b.port = r.port;
        b.rack = std::move(r.rack);
    }
    // A KRaft broker names a live broker as the controller, as in Metadata (here this
    // one), and -1 when that one is not among the brokers listed.
    const int32_t self = ctx.broker->node_id;
    const bool listed = std::any_of(out.brokers.begin(), out.brokers.end(),
                                    [&](const auto& b) { return b.broker_id == self; });
    out.controller_id = listed ? self : -1;
    // No authorizer: every cluster operation is allowed.
    if (req.include_cluster_authorized_operations)
        out.cluster_authorized_operations = all_cluster_operations;
    return out;
}

asio::awaitable<describe_cluster_handler::response> describe_cluster_handler::handle(
    request_context& ctx, request&& req) {
    const std::shared_ptr<cluster_metadata>& cluster = ctx.broker->metadata;
    metadata::image_ptr image = cluster ? cluster->image() : metadata::metadata_image::empty();
    co_return answer(ctx, req, *image);
}

}  // namespace eddy::broker
