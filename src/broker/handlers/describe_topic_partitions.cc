// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_topic_partitions.h"

#include <algorithm>
#include <set>
#include <string>

#include "broker/cluster_metadata.h"
#include "broker/handlers/cluster_view.h"
#include "controller/topic_names.h"
#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

using handler = describe_topic_partitions_handler;
using response_topic = handler::response::describe_topic_partitions_response_topic;
using response_partition = handler::response::describe_topic_partitions_response_partition;

// Kafka's error response for a request it refuses: each topic asked, with the error.
handler::response refuse_all(const handler::request& req, error_code error) {
    handler::response out;
    for (const auto& t : req.topics) {
        auto& topic = out.topics.emplace_back();
        topic.name = t.name;
        topic.error_code = wire_code(error);
    }
    return out;
}

// A partition as KRaftMetadataCache describes it: a leader not reachable on the listener
// is -1 (without an error code, unlike Metadata); replicas and ISR unfiltered.
response_partition describe_partition(const metadata::metadata_image& image, int32_t index,
                                      const metadata::partition_state& p, const std::string& listener) {
    response_partition out;
    out.partition_index = index;
    out.leader_id = p.leader >= 0 && live_endpoint(image, p.leader, listener) ? p.leader : -1;
    out.leader_epoch = p.leader_epoch;
    out.replica_nodes = p.replicas;
    out.isr_nodes = p.isr;
    // Eddy keeps no eligible leader replicas (KIP-966's ELR): both lists are empty.
    out.eligible_leader_replicas.emplace();
    out.last_known_elr.emplace();
    out.offline_replicas = offline_replicas(image, p.replicas);
    return out;
}

}  // namespace

handler::response handler::answer(const request_context& ctx, const request& req,
                                  const metadata::metadata_image& image) {
    const bool all_topics = req.topics.empty();
    const std::string start_topic = req.cursor ? req.cursor->topic_name : std::string();
    // Sorted by name, from the cursor's topic on.
    std::set<std::string> names;
    if (all_topics) {
        for (const auto& [name, t] : image.topic_names())
            if (name >= start_topic) names.insert(name);
    } else {
        for (const auto& t : req.topics)
            if (t.name >= start_topic) names.insert(t.name);
        // The cursor's topic must be one of those asked for.
        if (req.cursor && !names.contains(req.cursor->topic_name))
            return refuse_all(req, error_code::invalid_request);
    }
    if (req.cursor && req.cursor->partition_index < 0) return refuse_all(req, error_code::invalid_request);

    const std::string& listener = ctx.client->listener_name;
    int32_t remaining =
        std::max(std::min(ctx.broker->max_request_partition_size_limit, req.response_partition_limit), 1);
    response out;
    for (const std::string& name : names) {
        if (remaining == 0) {
            // The previous topics filled the answer: the next one starts the next page.
            out.next_cursor = response::cursor{name, 0, {}};
            break;
        }
        const metadata::topic_image* t = image.topic(name);
        if (t == nullptr) {
            // Asked for by name and not there; a listing of all topics never gets here.
            auto& missing = out.topics.emplace_back();
            missing.name = name;
            missing.is_internal = controller::is_internal_topic(name);
            missing.error_code = wire_code(valid_topic_name(name)
                                                          ? error_code::unknown_topic_or_partition
                                                          : error_code::invalid_topic_exception);
            continue;
        }
        auto& topic = out.topics.emplace_back();
        topic.name = name;
        topic.topic_id = t->id;
        topic.is_internal = controller::is_internal_topic(name);
        // No authorizer: every topic operation is allowed.
        topic.topic_authorized_operations = all_topic_operations;
        const int32_t first = req.cursor && name == req.cursor->topic_name ? req.cursor->partition_index : 0;
        const auto count = static_cast<int32_t>(t->partitions.size());
        const int32_t end = std::min<int64_t>(count, int64_t{first} + remaining);
        for (int32_t i = first; i < end; ++i) {
            auto it = t->partitions.find(i);
            if (it == t->partitions.end()) continue;  // ids are 0..n-1; skipped as Kafka does
            topic.partitions.push_back(describe_partition(image, i, it->second, listener));
        }
        if (end < count) {
            out.next_cursor = response::cursor{name, end, {}};
            break;
        }
        remaining -= std::max(end - first, 0);
    }
    return out;
}

asio::awaitable<handler::response> handler::handle(request_context& ctx, request&& req) {
    const std::shared_ptr<cluster_metadata>& cluster = ctx.broker->metadata;
    metadata::image_ptr image = cluster ? cluster->image() : metadata::metadata_image::empty();
    co_return answer(ctx, req, *image);
}

}  // namespace eddy::broker
