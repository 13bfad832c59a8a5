// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_producers.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controller/topic_names.h"

namespace eddy::broker {
namespace {

struct topic_refusal {
    error_code code;
    std::string message;
};

// KafkaApis answers every partition of a topic it refuses with the same error: Topic.validate's
// message for a name that is not legal, else, for a topic the metadata does not have,
// UNKNOWN_TOPIC_OR_PARTITION with that error's default message (an ApiError made from the
// error alone carries it).
std::optional<topic_refusal> refusal_of(const metadata::metadata_image& image,
                                        const std::string& name) {
    if (std::optional<std::string> invalid = controller::topic_name_error(name))
        return topic_refusal{error_code::invalid_topic_exception, std::move(*invalid)};
    if (image.topic(name) == nullptr) {
        return topic_refusal{error_code::unknown_topic_or_partition,
                             std::string(unknown_topic_or_partition_message)};
    }
    return std::nullopt;
}

}  // namespace

asio::awaitable<describe_producers_handler::response> describe_producers_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    using partition_response = response::partition_response;
    response resp;
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<std::pair<size_t, size_t>> slots;  // (topic, partition) in the response
    const metadata::image_ptr image = replicas.image();
    for (const auto& topic : req.topics) {
        auto& rt = resp.topics.emplace_back();
        rt.name = topic.name;
        const std::optional<topic_refusal> refused = refusal_of(*image, topic.name);
        for (int32_t index : topic.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = index;
            if (refused) {
                rp.error_code = wire_code(refused->code);
                rp.error_message = refused->message;
                continue;
            }
            // Kafka's ReplicaManager.activeProducerState answers a partition of a known topic
            // with the error code alone.
            auto found = replicas.lookup(topic.name, index);
            if (!found.p) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            targets.push_back(std::move(found.p));
            slots.emplace_back(resp.topics.size() - 1, rt.partitions.size() - 1);
        }
    }
    if (targets.empty()) co_return resp;
    // Read on each partition's strand, which owns its producer state, all at the same
    // time. Built outside the co_await: GCC 12 destroys temporaries of a co_await
    // expression (here the vector and the lambda) while the hop still uses them.
    auto hop = cluster::replica_manager::on_each(std::move(targets), [](cluster::partition& p, size_t) {
        partition_response rp;
        const log::log* l = p.get_log();
        if (!l) {
            rp.error_code = wire_code(error_code::not_leader_or_follower);
            return rp;
        }
        for (const auto& [producer_id, entry] : l->producers().producers()) {
            auto& s = rp.active_producers.emplace_back();
            s.producer_id = producer_id;
            s.producer_epoch = entry.epoch;
            s.last_sequence = entry.last_seq();
            s.last_timestamp = entry.last_timestamp;
            s.coordinator_epoch = entry.coordinator_epoch;
            s.current_txn_start_offset = entry.current_txn_first_offset.value_or(-1);
        }
        return rp;
    });
    std::vector<partition_response> answers = co_await std::move(hop);
    for (size_t i = 0; i < answers.size(); ++i) {
        auto& rp = resp.topics[slots[i].first].partitions[slots[i].second];
        answers[i].partition_index = rp.partition_index;
        rp = std::move(answers[i]);
    }
    co_return resp;
}

}  // namespace eddy::broker
