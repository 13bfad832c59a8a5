// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/internal_topics.h"

#include <algorithm>

#include "broker/cluster_metadata.h"
#include "broker/logger.h"
#include "eddy/error_code.h"

namespace eddy::broker {

msg::create_topics_request internal_topic_request(
    std::string_view name, int32_t partitions, int16_t rf,
    std::vector<std::pair<std::string, std::string>> configs) {
    configs.emplace_back("cleanup.policy", "compact");
    msg::create_topics_request req;
    req.timeout_ms = 30000;
    auto& t = req.topics.emplace_back();
    t.name = std::string(name);
    t.num_partitions = partitions;
    t.replication_factor = rf;
    for (auto& [key, value] : configs) {
        auto& cfg = t.configs.emplace_back();
        cfg.name = std::move(key);
        cfg.value = std::move(value);
    }
    return req;
}

asio::awaitable<void> ensure_internal_topic(const request_context& ctx, internal_topic topic) {
    cluster_metadata* md = ctx.broker->metadata.get();
    if (md == nullptr || md->image()->topic(topic.name) != nullptr) co_return;
    if (!topic.begin()) co_return;  // another request is creating it
    int16_t live = 0;
    const metadata::image_ptr image = md->image();
    for (const auto& [id, b] : image->brokers())
        if (!b.fenced) ++live;
    live = std::max<int16_t>(live, 1);
    if (topic.replication_factor <= live) {
        // The controller's own path for internal topics (AutoTopicCreationManager): Kafka's
        // partition count, replication factor and configs, compaction allowed.
        std::vector<std::string> names{std::string(topic.name)};
        auto created = md->auto_create_topics(std::move(names), true);
        (void)co_await std::move(created);
    }
    if (md->image()->topic(topic.name) == nullptr) {
        // Kafka's controller refuses a replication factor (default 3) above the live broker
        // count, leaving a small cluster without the coordinator until it is lowered. Eddy
        // caps it to the live brokers so a single node works out of the box.
        int16_t rf = std::min(topic.replication_factor, live);
        auto call = md->create_topics(topic.request(rf), 5);
        msg::create_topics_response resp = co_await std::move(call);
        if (!resp.topics.empty() && resp.topics.front().error_code != 0 &&
            resp.topics.front().error_code != wire_code(error_code::topic_already_exists)) {
            kafka_log().warn("cannot create {}: error {} {}", topic.name,
                             resp.topics.front().error_code,
                             resp.topics.front().error_message.value_or(""));
        }
    }
    topic.end();
}

}  // namespace eddy::broker
