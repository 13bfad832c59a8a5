// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/group_routing.h"

#include <algorithm>

#include "broker/cluster_metadata.h"
#include "broker/internal_topics.h"

namespace eddy::broker {
namespace {

// Kafka's settings for the topic (GroupCoordinator.groupMetadataTopicConfigs): the
// coordinator compresses its own batches with offsets.topic.compression.codec.
msg::create_topics_request offsets_topic_request(const group::runtime_config& c, int16_t rf) {
    return internal_topic_request(
        group::offsets_topic, c.offsets_topic_num_partitions, rf,
        {{"compression.type", "producer"},
         {"segment.bytes", std::to_string(c.offsets_topic_segment_bytes)}});
}

}  // namespace

std::string client_host(const request_context& ctx) {
    // remote_address is "host:port", with an IPv6 host in brackets.
    std::string addr = ctx.client ? ctx.client->remote_address : std::string();
    size_t colon = addr.rfind(':');
    if (colon != std::string::npos) addr.resize(colon);
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    return "/" + addr;
}

bool consumer_protocol_enabled(const request_context& ctx) {
    if (!ctx.broker || !ctx.broker->groups) return true;
    return ctx.broker->groups->config().consumer_protocol_enabled;
}

metadata::image_ptr current_image(const request_context& ctx) {
    cluster_metadata* md = ctx.broker ? ctx.broker->metadata.get() : nullptr;
    return md != nullptr ? md->image() : metadata::metadata_image::empty();
}

group::topic_view topics_of(metadata::image_ptr image) {
    auto info = [](const metadata::topic_image* t) -> std::optional<group::topic_info> {
        if (t == nullptr) return std::nullopt;
        return group::topic_info{t->id, t->name, static_cast<int32_t>(t->partitions.size())};
    };
    group::topic_view view;
    view.by_name = [image, info](std::string_view name) { return info(image->topic(name)); };
    view.by_id = [image, info](const codec::uuid& id) { return info(image->topic(id)); };
    return view;
}

asio::awaitable<void> ensure_offsets_topic(const request_context& ctx) {
    group::coordinator_runtime* runtime = ctx.broker->groups.get();
    if (runtime == nullptr) co_return;
    internal_topic topic;
    topic.name = group::offsets_topic;
    topic.replication_factor = runtime->config().offsets_topic_replication_factor;
    topic.begin = [runtime] { return runtime->begin_topic_creation(); };
    topic.end = [runtime] { runtime->end_topic_creation(); };
    topic.request = [cfg = runtime->config()](int16_t rf) { return offsets_topic_request(cfg, rf); };
    auto created = ensure_internal_topic(ctx, std::move(topic));
    co_await std::move(created);
}

}  // namespace eddy::broker
