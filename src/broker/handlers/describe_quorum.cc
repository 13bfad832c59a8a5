// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_quorum.h"

#include <string_view>

#include "broker/cluster_metadata.h"
#include "common/wall_clock.h"
#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

constexpr std::string_view metadata_topic = "__cluster_metadata";

// Kafka's raft client describes only its own partition, asked for alone.
bool asks_for_metadata_partition(const describe_quorum_handler::request& req) {
    return req.topics.size() == 1 && req.topics[0].topic_name == metadata_topic &&
           req.topics[0].partitions.size() == 1 && req.topics[0].partitions[0].partition_index == 0;
}

// Every partition asked for, with `error` (Kafka's getPartitionLevelErrorResponse).
describe_quorum_handler::response partition_level_errors(
    const describe_quorum_handler::request& req, error_code error, std::string_view message) {
    describe_quorum_handler::response out;
    for (const auto& t : req.topics) {
        auto& topic = out.topics.emplace_back();
        topic.topic_name = t.topic_name;
        for (const auto& p : t.partitions) {
            auto& partition = topic.partitions.emplace_back();
            partition.partition_index = p.partition_index;
            partition.error_code = wire_code(error);
            partition.error_message = std::string(message);
        }
    }
    return out;
}

}  // namespace

asio::awaitable<describe_quorum_handler::response> describe_quorum_handler::handle(
    request_context& ctx, request&& req) {
    if (!asks_for_metadata_partition(req)) {
        co_return partition_level_errors(req, error_code::unknown_topic_or_partition,
                                         unknown_topic_or_partition_message);
    }
    // The server always wires the metadata service; a bare broker_info (unit tests of
    // other handlers) has no quorum to describe.
    if (!ctx.broker->metadata) {
        co_return partition_level_errors(req, error_code::not_leader_or_follower,
                                         "For requests intended only for the leader, this error "
                                         "indicates that the broker is not the current leader.");
    }
    auto operation = ctx.broker->metadata->describe_quorum();
    const quorum_status st = co_await std::move(operation);
    const int64_t now = wall_clock_ms();

    response out;
    auto& topic = out.topics.emplace_back();
    topic.topic_name = std::string(metadata_topic);
    auto& partition = topic.partitions.emplace_back();
    partition.partition_index = 0;
    partition.leader_id = st.leader_id;
    partition.leader_epoch = st.leader_epoch;
    partition.high_watermark = st.high_watermark;
    for (int32_t id : st.voters) {
        auto& voter = partition.current_voters.emplace_back();
        voter.replica_id = id;
        // Voters come from controller.quorum.voters, which names no directory: Kafka
        // reports the zero uuid for them too.
        if (id == st.leader_id) {
            // Kafka reports the leader as having fetched and caught up just now.
            voter.log_end_offset = st.leader_end_offset;
            voter.last_fetch_timestamp = now;
            voter.last_caught_up_timestamp = now;
        } else {
            voter.log_end_offset = -1;  // no such voter runs: single-voter quorums only
        }
        // v2 lists each voter's controller endpoints. Eddy's controller has no listener of
        // its own (clients reach it through the broker's), so the list is empty.
        out.nodes.emplace_back().node_id = id;
    }
    // Observers are brokers that only fetch the metadata log; a combined node's broker
    // reads it in-process, as in Kafka's combined mode, so there are none.
    co_return out;
}

}  // namespace eddy::broker
