// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/group_routing.h"

#include <algorithm>

#include "broker/cluster_metadata.h"
#include "broker/logger.h"

namespace eddy::broker {
namespace {

msg::create_topics_request offsets_topic_request(const group::runtime_config& c, int16_t rf,
                                                 bool compact) {
    msg::create_topics_request req;
    req.timeout_ms = 30000;
    auto& t = req.topics.emplace_back();
    t.name = std::string(group::offsets_topic);
    t.num_partitions = c.offsets_topic_num_partitions;
    t.replication_factor = rf;
    auto config = [&](std::string name, std::string value) {
        auto& cfg = t.configs.emplace_back();
        cfg.name = std::move(name);
        cfg.value = std::move(value);
    };
    // Kafka's settings for the topic (GroupCoordinator.groupMetadataTopicConfigs): the
    // coordinator compresses its own batches with offsets.topic.compression.codec.
    config("compression.type", "producer");
    config("segment.bytes", std::to_string(c.offsets_topic_segment_bytes));
    if (compact) {
        config("cleanup.policy", "compact");
    } else {
        // Without log compaction the committed offsets must never age out.
        config("cleanup.policy", "delete");
        config("retention.ms", "-1");
    }
    return req;
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
    cluster_metadata* md = ctx.broker->metadata.get();
    group::coordinator_runtime* runtime = ctx.broker->groups.get();
    if (md == nullptr || runtime == nullptr) co_return;
    if (md->image()->topic(group::offsets_topic) != nullptr) co_return;
    if (!runtime->begin_topic_creation()) co_return;  // another request is creating it
    const group::runtime_config& cfg = runtime->config();
    int16_t live = 0;
    const metadata::image_ptr image = md->image();
    for (const auto& [id, b] : image->brokers())
        if (!b.fenced) ++live;
    live = std::max<int16_t>(live, 1);
    if (cfg.offsets_topic_replication_factor <= live) {
        // The controller's own path for internal topics (AutoTopicCreationManager): Kafka's
        // partition count, replication factor and configs, compaction allowed.
        std::vector<std::string> names{std::string(group::offsets_topic)};
        auto created = md->auto_create_topics(std::move(names), true);
        (void)co_await std::move(created);
    }
    if (md->image()->topic(group::offsets_topic) == nullptr) {
        // Kafka's controller refuses offsets.topic.replication.factor (default 3) above the
        // live broker count, leaving a one-node Kafka without groups until it is lowered.
        // Eddy caps it to the live brokers so a single node works out of the box.
        int16_t rf = std::min(cfg.offsets_topic_replication_factor, live);
        auto first = md->create_topics(offsets_topic_request(cfg, rf, true), 5);
        msg::create_topics_response resp = co_await std::move(first);
        if (!resp.topics.empty() &&
            resp.topics.front().error_code == static_cast<int16_t>(error_code::invalid_config)) {
            // This controller has no log compaction for topics made through CreateTopics:
            // keep every record instead.
            auto second = md->create_topics(offsets_topic_request(cfg, rf, false), 5);
            resp = co_await std::move(second);
        }
        if (!resp.topics.empty() && resp.topics.front().error_code != 0 &&
            resp.topics.front().error_code != static_cast<int16_t>(error_code::topic_already_exists)) {
            kafka_log().warn("cannot create {}: error {} {}", group::offsets_topic,
                             resp.topics.front().error_code,
                             resp.topics.front().error_message.value_or(""));
        }
    }
    runtime->end_topic_creation();
}

}  // namespace eddy::broker
