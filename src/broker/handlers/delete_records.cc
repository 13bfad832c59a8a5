// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/delete_records.h"

#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/handlers/repeated_partitions.h"
#include "common/wall_clock.h"
#include "controller/topic_names.h"

namespace eddy::broker {

namespace {

// One partition to trim, and where its answer goes.
struct trim_point {
    std::pair<size_t, size_t> slot;  // (topic, partition) in the response
    int64_t offset = 0;
};

}  // namespace

asio::awaitable<delete_records_handler::response> delete_records_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    response resp;
    const int64_t now = wall_clock_ms();
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<trim_point> trims;
    // Kafka's KafkaApis keeps the partitions in a map and answers them grouped by topic:
    // a topic named twice is answered once, and a partition named twice is trimmed once,
    // to the offset of its last mention.
    std::vector<partition_key> mentions;
    std::vector<int64_t> offsets;
    for (const auto& topic : req.topics) {
        for (const auto& part : topic.partitions) {
            mentions.emplace_back(topic.name, part.partition_index);
            offsets.push_back(part.offset);
        }
    }
    const repeated_partitions repeats = find_repeated_partitions(mentions);
    std::map<std::string_view, size_t> topic_slots;
    size_t mention = 0;
    for (const auto& topic : req.topics) {
        for (const auto& part : topic.partitions) {
            const size_t m = mention++;
            if (!repeats.none() && repeats.first[m] != m) continue;
            // A topic's entry is made by its first partition: Kafka groups its answer by
            // partition, so a topic named with no partitions is not answered.
            auto [named, fresh] = topic_slots.try_emplace(topic.name, resp.topics.size());
            if (fresh) resp.topics.emplace_back().name = topic.name;
            auto& rt = resp.topics[named->second];
            const int64_t offset = repeats.none() ? part.offset : offsets[repeats.last[m]];
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = part.partition_index;
            rp.low_watermark = -1;
            auto found = replicas.lookup(topic.name, part.partition_index);
            // Kafka's order: an unknown partition first, then an internal topic (the
            // coordinators' logs are theirs alone to trim), then leadership.
            if (!found.p && found.error == error_code::unknown_topic_or_partition) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            if (controller::is_internal_topic(topic.name)) {
                rp.error_code = wire_code(error_code::invalid_topic_exception);
                continue;
            }
            if (!found.p) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            targets.push_back(std::move(found.p));
            trims.push_back({.slot = {named->second, rt.partitions.size() - 1}, .offset = offset});
        }
    }
    if (targets.empty()) co_return resp;
    // Every partition trimmed on its own strand at the same time. Built outside the
    // co_await: GCC 12 destroys temporaries of a co_await expression (here the vector and
    // the lambda) while the hop still uses them.
    auto hop = cluster::replica_manager::on_each(std::move(targets), [trims, now](cluster::partition& p, size_t i) {
        return p.delete_records(trims[i].offset, now);
    });
    std::vector<std::pair<error_code, int64_t>> outcomes = co_await std::move(hop);
    for (size_t i = 0; i < outcomes.size(); ++i) {
        auto& rp = resp.topics[trims[i].slot.first].partitions[trims[i].slot.second];
        rp.error_code = wire_code(outcomes[i].first);
        rp.low_watermark = outcomes[i].second;
    }
    co_return resp;
}

}  // namespace eddy::broker
