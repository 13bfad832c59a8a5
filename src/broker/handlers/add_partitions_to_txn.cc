// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/add_partitions_to_txn.h"

#include <map>
#include <set>

#include "broker/cluster_metadata.h"
#include "broker/txn_routing.h"
#include "broker/txn_verification.h"

namespace eddy::broker {
namespace {

using txn_request = msg::add_partitions_to_txn_request::add_partitions_to_txn_transaction;
using topic_results =
    std::vector<msg::add_partitions_to_txn_response::add_partitions_to_txn_topic_result>;
using partition_errors = txn_partition_errors;

topic_results results_of(const partition_errors& errors) {
    topic_results out;
    for (const auto& [tp, e] : errors) {
        if (out.empty() || out.back().name != tp.topic) out.emplace_back().name = tp.topic;
        auto& r = out.back().results_by_partition.emplace_back();
        r.partition_index = tp.partition;
        r.partition_error_code = wire_code(e);
    }
    return out;
}

partition_errors all(const std::set<txn::topic_partition>& partitions, error_code e) {
    partition_errors out;
    for (const auto& tp : partitions) out[tp] = e;
    return out;
}

// One transaction of the request, as KafkaApis.handleAddPartitionsToTxnRequest answers it.
asio::awaitable<partition_errors> add_one(const request_context& ctx, const txn_request& t) {
    std::set<txn::topic_partition> partitions;
    for (const auto& topic : t.topics)
        for (int32_t p : topic.partitions) partitions.insert({topic.name, p});
    if (t.verify_only) {
        if (t.transactional_id.empty()) co_return all(partitions, error_code::invalid_request);
        auto op = [t, partitions](txn::txn_coordinator_shard& shard, int64_t) {
            return verify_partitions_in_txn(shard, t.transactional_id, t.producer_id,
                                            t.producer_epoch, partitions);
        };
        auto call = on_txn_shard<partition_errors>(ctx, t.transactional_id, std::move(op));
        txn::outcome<partition_errors> r = co_await std::move(call);
        if (r.error != error_code::none) co_return all(partitions, r.error);
        co_return std::move(r.response);
    }
    // Partitions the cluster does not have fail the whole transaction's request before the
    // coordinator sees it; the others are not attempted.
    metadata::image_ptr image;
    if (ctx.broker->metadata) image = ctx.broker->metadata->image();
    else image = metadata::metadata_image::empty();
    partition_errors unknown;
    for (const auto& tp : partitions) {
        const metadata::topic_image* topic = image->topic(tp.topic);
        if (topic == nullptr || !topic->partitions.count(tp.partition))
            unknown[tp] = error_code::unknown_topic_or_partition;
    }
    if (!unknown.empty()) {
        partition_errors out = all(partitions, error_code::operation_not_attempted);
        for (const auto& [tp, e] : unknown) out[tp] = e;
        co_return out;
    }
    std::vector<txn::topic_partition> list(partitions.begin(), partitions.end());
    auto op = [t, list = std::move(list)](txn::txn_coordinator_shard& shard, int64_t now) {
        return shard.add_partitions(t.transactional_id, t.producer_id, t.producer_epoch, list, now);
    };
    auto call = txn_error_of(ctx, t.transactional_id, std::move(op));
    error_code e = co_await std::move(call);
    co_return all(partitions, e);
}

}  // namespace

asio::awaitable<add_partitions_to_txn_handler::response> add_partitions_to_txn_handler::handle(
    request_context& ctx, request&& req) {
    response resp;
    if (ctx.api_version < 4) {
        // v0-v3: one transaction, from a producer.
        txn_request t;
        t.transactional_id = std::move(req.v3_and_below_transactional_id);
        t.producer_id = req.v3_and_below_producer_id;
        t.producer_epoch = req.v3_and_below_producer_epoch;
        t.topics = std::move(req.v3_and_below_topics);
        auto one = add_one(ctx, t);
        partition_errors errors = co_await std::move(one);
        resp.results_by_topic_v3_and_below = results_of(errors);
        co_return resp;
    }
    // v4+: a batch of transactions from a partition leader (KIP-890), each answered on its
    // own. Eddy has no authorizer, so the ClusterAction check Kafka makes always passes.
    for (const txn_request& t : req.transactions) {
        auto one = add_one(ctx, t);
        partition_errors errors = co_await std::move(one);
        auto& r = resp.results_by_transaction.emplace_back();
        r.transactional_id = t.transactional_id;
        r.topic_results = results_of(errors);
    }
    co_return resp;
}

}  // namespace eddy::broker
