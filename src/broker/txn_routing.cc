// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/txn_routing.h"

#include <algorithm>

#include "broker/internal_topics.h"

namespace eddy::broker {
namespace {

// Kafka's settings for the topic (TransactionLog / TransactionStateManager
// .transactionTopicConfigs): compacted, uncompressed, its own segment size and min ISR.
msg::create_topics_request transaction_topic_request(const txn::txn_runtime_config& c, int16_t rf) {
    return internal_topic_request(
        txn::transaction_state_topic, c.num_partitions, rf,
        {{"compression.type", "uncompressed"},
         {"unclean.leader.election.enable", "false"},
         {"segment.bytes", std::to_string(c.segment_bytes)},
         // Capped with the replication factor: a min ISR above it could never be met.
         {"min.insync.replicas", std::to_string(std::min<int32_t>(c.min_isr, rf))}});
}

}  // namespace

asio::awaitable<void> ensure_transaction_topic(const request_context& ctx) {
    txn::txn_runtime* runtime = ctx.broker->txns.get();
    if (runtime == nullptr) co_return;
    internal_topic topic;
    topic.name = txn::transaction_state_topic;
    topic.replication_factor = runtime->config().replication_factor;
    topic.begin = [runtime] { return runtime->begin_topic_creation(); };
    topic.end = [runtime] { runtime->end_topic_creation(); };
    topic.request = [cfg = runtime->config()](int16_t rf) { return transaction_topic_request(cfg, rf); };
    auto created = ensure_internal_topic(ctx, std::move(topic));
    co_await std::move(created);
}

}  // namespace eddy::broker
