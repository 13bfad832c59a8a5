// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/list_offsets.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/handlers/repeated_partitions.h"

namespace eddy::broker {

namespace {

// One partition to look up, and where its answer goes.
struct offset_lookup {
    std::pair<size_t, size_t> slot;  // (topic, partition) in the response
    int32_t epoch = -1;
    int64_t timestamp = 0;
};

// Kafka's ReplicaManager.isListOffsetsTimestampUnsupported: a special (negative)
// timestamp answers UNSUPPORTED_VERSION when Kafka does not know it, or when the request's
// version is older than the one that introduced it.
bool timestamp_unsupported(int64_t timestamp, int16_t version) {
    if (timestamp >= 0) return false;
    switch (timestamp) {
    case -1:  // latest
    case -2:  // earliest
        return version < 1;
    case -3:  // max timestamp (KIP-734)
        return version < 7;
    case -4:  // earliest local (KIP-405)
        return version < 8;
    case -5:  // latest tiered (KIP-1005)
        return version < 9;
    default:
        return true;
    }
}

}  // namespace

asio::awaitable<list_offsets_handler::response> list_offsets_handler::handle(
    cluster::replica_manager& replicas, request_context& ctx, request&& req) {
    response resp;
    const bool any_partition = std::any_of(req.topics.begin(), req.topics.end(),
                                           [](const auto& t) { return !t.partitions.empty(); });
    if (any_partition && req.isolation_level != 0 && req.isolation_level != 1) {
        // IsolationLevel.forId throws for any other value, and Kafka answers with the
        // request's getErrorResponse: every entry as sent, UNKNOWN_SERVER_ERROR.
        for (const auto& topic : req.topics) {
            auto& rt = resp.topics.emplace_back();
            rt.name = topic.name;
            for (const auto& part : topic.partitions) {
                auto& rp = rt.partitions.emplace_back();
                rp.partition_index = part.partition_index;
                rp.error_code = wire_code(error_code::unknown_server_error);
            }
        }
        co_return resp;
    }
    // Kafka applies the isolation level to consumers' requests (replica id -1) only;
    // read_committed answers below the last stable offset.
    const bool read_committed = req.replica_id == -1 && req.isolation_level == 1;
    // Kafka answers by partition, not by entry (ReplicaManager.fetchOffset fills a map):
    // a partition named twice gets one answer, INVALID_REQUEST, and a topic named twice
    // one entry.
    std::vector<partition_key> mentions;
    for (const auto& topic : req.topics)
        for (const auto& part : topic.partitions) mentions.emplace_back(topic.name, part.partition_index);
    const repeated_partitions repeats = find_repeated_partitions(mentions);
    size_t mention = 0;
    std::map<std::string_view, size_t> topic_slot;
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<offset_lookup> lookups;
    for (const auto& topic : req.topics) {
        // Kafka groups its answers by partition: a topic without any gets no entry.
        if (topic.partitions.empty()) continue;
        auto [at, added] = topic_slot.try_emplace(topic.name, resp.topics.size());
        if (added) resp.topics.emplace_back().name = topic.name;
        const size_t ti = at->second;
        for (const auto& part : topic.partitions) {
            const size_t m = mention++;
            if (!repeats.none() && repeats.first[m] != m) continue;  // a repeat, already answered
            const bool duplicate = !repeats.none() && repeats.last[m] != m;
            auto& rp = resp.topics[ti].partitions.emplace_back();
            rp.partition_index = part.partition_index;
            if (duplicate) {
                rp.error_code = wire_code(error_code::invalid_request);
                continue;
            }
            if (timestamp_unsupported(part.timestamp, ctx.api_version)) {
                rp.error_code = wire_code(error_code::unsupported_version);
                continue;
            }
            auto found = replicas.lookup(topic.name, part.partition_index);
            if (!found.p) {
                rp.error_code = wire_code(found.error);
                continue;
            }
            targets.push_back(std::move(found.p));
            lookups.push_back({.slot = {ti, resp.topics[ti].partitions.size() - 1},
                               .epoch = part.current_leader_epoch,
                               .timestamp = part.timestamp});
        }
    }
    if (targets.empty()) co_return resp;
    // Every partition looked up on its own strand at the same time. Built outside the
    // co_await: GCC 12 destroys temporaries of a co_await expression (here the vector and
    // the lambda) while the hop still uses them.
    auto hop = cluster::replica_manager::on_each(
        std::move(targets), [lookups, read_committed](cluster::partition& p, size_t i) {
            if (error_code e = p.check_epoch(lookups[i].epoch); e != error_code::none) {
                cluster::offset_outcome o;
                o.error = e;
                return o;
            }
            return p.offset_for(lookups[i].timestamp, read_committed);
        });
    std::vector<cluster::offset_outcome> outcomes = co_await std::move(hop);
    for (size_t i = 0; i < outcomes.size(); ++i) {
        const cluster::offset_outcome& r = outcomes[i];
        auto& rp = resp.topics[lookups[i].slot.first].partitions[lookups[i].slot.second];
        rp.error_code = wire_code(r.error);
        if (r.error != error_code::none) continue;
        rp.timestamp = r.timestamp;
        rp.offset = r.offset;
        rp.leader_epoch = r.leader_epoch;
    }
    co_return resp;
}

}  // namespace eddy::broker
