// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/cluster_view.h"

#include <algorithm>

namespace eddy::broker {

bool valid_topic_name(std::string_view name) {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

std::vector<int32_t> offline_replicas(const metadata::metadata_image& image,
                                      const std::vector<int32_t>& replicas) {
    std::vector<int32_t> out;
    for (int32_t r : replicas) {
        const metadata::broker_registration* b = image.broker(r);
        if (b == nullptr || b->fenced) out.push_back(r);
    }
    return out;
}

const metadata::broker_endpoint* live_endpoint(const metadata::metadata_image& image, int32_t id,
                                               const std::string& listener) {
    const metadata::broker_registration* b = image.broker(id);
    if (b == nullptr || b->fenced) return nullptr;
    for (const auto& e : b->endpoints)
        if (e.name == listener) return &e;
    return nullptr;
}

std::vector<reachable_broker> reachable_brokers(const request_context& ctx,
                                                const metadata::metadata_image& image) {
    const std::string& listener = ctx.client->listener_name;
    std::vector<reachable_broker> out;
    if (image.brokers().empty()) {
        if (const advertised_endpoint* ep = ctx.broker->endpoint_for(listener)) {
            std::optional<std::string> rack;
            if (!ctx.broker->rack.empty()) rack = ctx.broker->rack;
            out.push_back({ctx.broker->node_id, ep->host, ep->port, std::move(rack)});
        }
        return out;
    }
    for (const auto& [id, reg] : image.brokers()) {
        const metadata::broker_endpoint* ep = live_endpoint(image, id, listener);
        if (ep == nullptr) continue;
        out.push_back({id, ep->host, ep->port, reg.rack});
    }
    return out;
}

}  // namespace eddy::broker
