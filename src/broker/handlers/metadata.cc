// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/metadata.h"

#include <algorithm>
#include <string_view>

#include "broker/handlers/cluster_view.h"
#include "controller/topic_names.h"
#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

using response_topic = metadata_handler::response::metadata_response_topic;
using response_partition = metadata_handler::response::metadata_response_partition;

response_topic topic_error(error_code e, std::optional<std::string> name, codec::uuid id) {
    response_topic t;
    t.error_code = wire_code(e);
    t.is_internal = name && controller::is_internal_topic(*name);
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

// KRaftMetadataCache.getPartitionMetadata: a leader that is not reachable on this listener
// is LEADER_NOT_AVAILABLE with no leader; replicas on fenced or unknown brokers are offline.
response_topic describe_topic(const metadata::metadata_image& image, const metadata::topic_image& t,
                              const std::string& listener) {
    response_topic out;
    out.name = t.name;
    out.topic_id = t.id;
    out.is_internal = controller::is_internal_topic(t.name);
    for (const auto& [index, p] : t.partitions) {
        response_partition rp;
        rp.partition_index = index;
        rp.leader_epoch = p.leader_epoch;
        rp.replica_nodes = p.replicas;
        rp.isr_nodes = p.isr;
        rp.offline_replicas = offline_replicas(image, p.replicas);
        if (p.leader >= 0 && live_endpoint(image, p.leader, listener) != nullptr) {
            rp.leader_id = p.leader;
        } else {
            rp.leader_id = -1;
            rp.error_code = wire_code(error_code::leader_not_available);
        }
        out.partitions.push_back(std::move(rp));
    }
    return out;
}

void add_brokers(const request_context& ctx, const metadata::metadata_image& image,
                 metadata_handler::response& resp) {
    for (reachable_broker& r : reachable_brokers(ctx, image)) {
        metadata_handler::response::metadata_response_broker b;
        b.node_id = r.id;
        b.host = std::move(r.host);
        b.port = r.port;
        b.rack = std::move(r.rack);
        resp.brokers.push_back(std::move(b));
    }
}

bool asks_all_topics(const request_context& ctx, const metadata_handler::request& req) {
    // v0 has no null array: there an empty list means "all topics".
    return !req.topics || (ctx.api_version == 0 && req.topics->empty());
}

bool has_topic_ids(const metadata_handler::request& req) {
    return std::any_of(req.topics->begin(), req.topics->end(),
                       [](const auto& t) { return !t.topic_id.is_zero(); });
}

bool malformed(const request_context& ctx, const metadata_handler::request& req) {
    if (asks_all_topics(ctx, req) || ctx.api_version >= 12) return false;
    return std::any_of(req.topics->begin(), req.topics->end(),
                       [](const auto& t) { return !t.name || !t.topic_id.is_zero(); });
}

}  // namespace

std::vector<std::string> metadata_handler::missing_topics(const request_context& ctx,
                                                          const request& req,
                                                          const metadata::metadata_image& image) {
    std::vector<std::string> names;
    if (asks_all_topics(ctx, req) || malformed(ctx, req) || has_topic_ids(req)) return names;
    for (const auto& t : *req.topics) {
        if (!t.name || image.topic(*t.name) != nullptr) continue;
        if (std::find(names.begin(), names.end(), *t.name) == names.end()) names.push_back(*t.name);
    }
    return names;
}

metadata_handler::response metadata_handler::answer(const request_context& ctx, const request& req,
                                                    const metadata::metadata_image& image,
                                                    const std::vector<auto_create_status>& created) {
    const int16_t v = ctx.api_version;
    if (malformed(ctx, req)) return invalid_request_reply(req);

    response resp;
    add_brokers(ctx, image, resp);
    resp.cluster_id = ctx.broker->cluster_id;
    // In KRaft mode clients are given a live broker as "controller"; here that is us.
    resp.controller_id = ctx.broker->node_id;
    const std::string& listener = ctx.client->listener_name;

    if (asks_all_topics(ctx, req)) {
        for (const auto& [name, t] : image.topic_names())
            resp.topics.push_back(describe_topic(image, *t, listener));
    } else if (has_topic_ids(req)) {
        // Asked by id: names in the same request are ignored, as in Kafka.
        std::vector<codec::uuid> ids;
        for (const auto& t : *req.topics) {
            if (!t.topic_id.is_zero() && std::find(ids.begin(), ids.end(), t.topic_id) == ids.end())
                ids.push_back(t.topic_id);
        }
        for (const codec::uuid& id : ids) {
            if (const metadata::topic_image* t = image.topic(id)) {
                resp.topics.push_back(describe_topic(image, *t, listener));
            } else {
                resp.topics.push_back(topic_error(error_code::unknown_topic_id, std::nullopt, id));
            }
        }
    } else {
        std::vector<std::optional<std::string>> names;
        for (const auto& t : *req.topics) {
            if (std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);
        }
        for (auto& name : names) {
            if (name) {
                if (const metadata::topic_image* t = image.topic(*name)) {
                    resp.topics.push_back(describe_topic(image, *t, listener));
                    continue;
                }
            }
            const bool valid = name && valid_topic_name(*name);
            error_code e = valid ? error_code::unknown_topic_or_partition
                                 : error_code::invalid_topic_exception;
            for (const auto& c : created) {
                if (name && c.name == *name) e = static_cast<error_code>(c.error_code);
            }
            resp.topics.push_back(topic_error(e, std::move(name), codec::uuid{}));
        }
    }

    if (v >= 8) {
        if (v <= 10 && req.include_cluster_authorized_operations)
            resp.cluster_authorized_operations = all_cluster_operations;
        if (req.include_topic_authorized_operations) {
            for (auto& t : resp.topics) {
                if (t.error_code != wire_code(error_code::unknown_topic_id))
                    t.topic_authorized_operations = all_topic_operations;
            }
        }
    }
    return resp;
}

asio::awaitable<metadata_handler::response> metadata_handler::handle(request_context& ctx,
                                                                     request&& req) {
    const std::shared_ptr<cluster_metadata>& cluster = ctx.broker->metadata;
    metadata::image_ptr image = cluster ? cluster->image() : metadata::metadata_image::empty();
    std::vector<auto_create_status> created;
    std::vector<std::string> missing = missing_topics(ctx, req, *image);
    if (cluster && !missing.empty()) {
        // Before v4 the field is absent and keeps its default, true: old clients always
        // auto-create.
        // A named awaitable: GCC 12 mishandles temporaries inside a co_await expression.
        auto creation = cluster->auto_create_topics(std::move(missing), req.allow_auto_topic_creation);
        created = co_await std::move(creation);
        // Answered from the image the request was checked against: Kafka's broker reports
        // a topic it asked the controller to create as not there yet, and the client asks
        // again.
    }
    co_return answer(ctx, req, *image, created);
}

}  // namespace eddy::broker
