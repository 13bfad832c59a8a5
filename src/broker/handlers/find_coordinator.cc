// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/find_coordinator.h"

#include "broker/cluster_metadata.h"
#include "broker/handlers/group_routing.h"
#include "broker/txn_routing.h"

namespace eddy::broker {
namespace {

// CoordinatorType ids.
constexpr int8_t group_key = 0;
constexpr int8_t transaction_key = 1;
constexpr int8_t share_key = 2;

struct found {
    error_code error = error_code::none;
    int32_t node_id = -1;  // Node.noNode(): id -1, host "", port -1
    std::string host;
    int32_t port = -1;
};

// Kafka's exception messages, which v1-v3 send with an error.
std::string message_of(error_code e) {
    switch (e) {
    case error_code::none:
        return "NONE";
    case error_code::coordinator_not_available:
        return "The coordinator is not available.";
    case error_code::invalid_request:
        return std::string(invalid_request_message);
    default:
        return std::string(to_string(e));
    }
}

// KafkaApis.getCoordinator: the leader of the key's partition (of __consumer_offsets for
// a group, __transaction_state for a transactional id) when it is a live broker on this
// listener, else COORDINATOR_NOT_AVAILABLE (also while the topic is being created). A
// partition still loading is answered with its leader: the apis then answer
// COORDINATOR_LOAD_IN_PROGRESS until it is ready.
found find(const request_context& ctx, const metadata::metadata_image& image, int8_t key_type,
           const std::string& key) {
    found out;
    if (key_type != group_key && key_type != transaction_key) {
        // No share coordinator runs here.
        out.error = key_type == share_key ? error_code::coordinator_not_available
                                          : error_code::invalid_request;
        return out;
    }
    out.error = error_code::coordinator_not_available;
    std::string_view topic_name;
    int32_t partition = -1;
    if (key_type == group_key) {
        if (ctx.broker->groups == nullptr) return out;
        topic_name = group::offsets_topic;
        partition = ctx.broker->groups->partition_of(key);
    } else {
        if (ctx.broker->txns == nullptr) return out;
        topic_name = txn::transaction_state_topic;
        partition = ctx.broker->txns->partition_of(key);
    }
    const metadata::topic_image* topic = image.topic(topic_name);
    if (topic == nullptr) return out;
    auto p = topic->partitions.find(partition);
    if (p == topic->partitions.end() || p->second.leader < 0) return out;
    const metadata::broker_registration* b = image.broker(p->second.leader);
    if (b == nullptr || b->fenced) return out;
    for (const metadata::broker_endpoint& e : b->endpoints) {
        if (e.name != ctx.client->listener_name) continue;
        out = found{error_code::none, p->second.leader, e.host, e.port};
    }
    return out;
}

}  // namespace

asio::awaitable<find_coordinator_handler::response> find_coordinator_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    const bool batched = ctx.api_version >= 4;
    if (req.key_type == group_key && ctx.broker->metadata) {
        asio::awaitable<void> created = ensure_offsets_topic(ctx);
        co_await std::move(created);
    }
    if (req.key_type == transaction_key && ctx.broker->metadata) {
        asio::awaitable<void> created = ensure_transaction_topic(ctx);
        co_await std::move(created);
    }
    // Plain statements, no conditional expression: GCC 12 mishandles those with
    // destructible operands inside coroutines.
    metadata::image_ptr image;
    if (ctx.broker->metadata) image = ctx.broker->metadata->image();
    else image = metadata::metadata_image::empty();
    if (!batched) {
        found f = find(ctx, *image, req.key_type, req.key);
        resp.error_code = wire_code(f.error);
        resp.error_message = message_of(f.error);
        resp.node_id = f.node_id;
        resp.host = f.host;
        resp.port = f.port;
        co_return resp;
    }
    for (const std::string& key : req.coordinator_keys) {
        found f = find(ctx, *image, req.key_type, key);
        auto& c = resp.coordinators.emplace_back();
        c.key = key;
        c.error_code = wire_code(f.error);
        c.node_id = f.node_id;
        c.host = f.host;
        c.port = f.port;
    }
    co_return resp;
}

}  // namespace eddy::broker
