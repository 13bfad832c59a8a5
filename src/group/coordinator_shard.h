// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The group coordinator of one __consumer_offsets partition: the classic group protocol,
// committed offsets and the group admin operations, as Kafka 3.9's group coordinator
// answers them. Sans I/O: time comes in as arguments, state changes go out as records in
// Kafka's __consumer_offsets formats, replies go out through callbacks. The runtime
// (coordinator_runtime.h) gives it a log, timers and a network.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "eddy/codec/types.h"
#include "eddy/msg/consumer_group_describe_response.h"
#include "eddy/msg/consumer_group_heartbeat_request.h"
#include "eddy/msg/consumer_group_heartbeat_response.h"
#include "eddy/msg/delete_groups_response.h"
#include "eddy/msg/describe_groups_response.h"
#include "eddy/msg/heartbeat_request.h"
#include "eddy/msg/heartbeat_response.h"
#include "eddy/msg/join_group_request.h"
#include "eddy/msg/join_group_response.h"
#include "eddy/msg/leave_group_request.h"
#include "eddy/msg/leave_group_response.h"
#include "eddy/msg/list_groups_response.h"
#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"
#include "eddy/msg/offset_delete_request.h"
#include "eddy/msg/offset_delete_response.h"
#include "eddy/msg/offset_fetch_request.h"
#include "eddy/msg/offset_fetch_response.h"
#include "eddy/msg/sync_group_request.h"
#include "eddy/msg/sync_group_response.h"
#include "eddy/msg/txn_offset_commit_request.h"
#include "eddy/msg/txn_offset_commit_response.h"

namespace eddy::group {

// Kafka's broker settings for the group coordinator, with Kafka's defaults.
struct coordinator_config {
    int32_t group_min_session_timeout_ms = 6000;         // group.min.session.timeout.ms
    int32_t group_max_session_timeout_ms = 1800000;      // group.max.session.timeout.ms
    int32_t group_initial_rebalance_delay_ms = 3000;     // group.initial.rebalance.delay.ms
    int32_t group_max_size = 2147483647;                 // group.max.size
    int32_t offset_metadata_max_bytes = 4096;            // offset.metadata.max.bytes
    int64_t offsets_retention_minutes = 10080;           // offsets.retention.minutes
    int64_t offsets_retention_check_interval_ms = 600000;  // offsets.retention.check.interval.ms
    // KIP-848 consumer groups.
    int32_t consumer_session_timeout_ms = 45000;         // group.consumer.session.timeout.ms
    int32_t consumer_heartbeat_interval_ms = 5000;       // group.consumer.heartbeat.interval.ms
    int32_t consumer_max_size = 2147483647;              // group.consumer.max.size
    // group.consumer.assignors, by the names clients send ("uniform", "range"); the first
    // is the default.
    std::vector<std::string> consumer_assignors = {"uniform", "range"};
};

// A topic as the metadata image has it at the time of a call.
struct topic_info {
    codec::uuid id;
    std::string name;
    int32_t partitions = 0;
};

// Partitions by topic name (the partitions of deleted topics).
using partitions_by_topic = std::map<std::string, std::set<int32_t>, std::less<>>;

// The topics a KIP-848 consumer group may subscribe to, read from the metadata image the
// caller holds; each lookup answers nullopt for a topic that does not exist (or is being
// deleted).
struct topic_view {
    std::function<std::optional<topic_info>(std::string_view name)> by_name;
    std::function<std::optional<topic_info>(const codec::uuid& id)> by_id;
};

// One record of __consumer_offsets in Kafka's format: the key and the value each begin
// with their int16 schema version (OffsetCommitKey v0/v1, GroupMetadataKey v2, ...).
// A null value is a tombstone.
struct coordinator_record {
    std::vector<uint8_t> key;
    std::optional<std::vector<uint8_t>> value;
    // The transaction the record is part of (a TxnOffsetCommit): it goes in a
    // transactional batch of this producer and epoch. -1 for every other record.
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
};

// Who sent a request, as JoinGroup records it for DescribeGroups.
struct client_identity {
    std::string client_id;
    std::string client_host;  // "/127.0.0.1", as Kafka writes InetAddress.toString()
};

template <class Response>
using reply = std::function<void(Response)>;

// Lives on: the executor of its __consumer_offsets partition; never shared.
//
// Every state change is written as a record (take_records()) and applied to the in-memory
// state by the same code that replays it at load time, so a shard rebuilt by replay()
// equals the one that wrote the records. Replies may be made during the call or later (a
// JoinGroup waits for the rebalance); the runtime defers every reply until the records
// taken after the call that produced it are durable.
class coordinator_shard {
public:
    explicit coordinator_shard(coordinator_config config);
    ~coordinator_shard();
    coordinator_shard(const coordinator_shard&) = delete;
    coordinator_shard& operator=(const coordinator_shard&) = delete;

    // --- loading: every record of the partition in log order, then loaded() ---
    // Returns false (and changes nothing) for a record whose key or value does not parse.
    // `producer_id` is the producer of a transactional batch (its offset commits stay
    // pending until that producer's marker), -1 for any other batch.
    bool replay(std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value,
                int64_t producer_id = -1);
    // A transaction marker of `producer_id`, read back at load time or just written by the
    // runtime (WriteTxnMarkers): on commit the producer's pending offsets become committed
    // offsets (unless a later commit of the same partition is already there), on abort
    // they are dropped. Writes nothing.
    void replay_end_transaction(int64_t producer_id, bool commit);
    // Ends loading: groups read back with members get fresh session deadlines.
    void loaded(int64_t now_ms);

    // The records the calls since the last take_records() produced, in order.
    std::vector<coordinator_record> take_records();

    // --- the classic group protocol ---
    void join_group(msg::join_group_request request, int16_t version, client_identity client,
                    int64_t now_ms, reply<msg::join_group_response> done);
    void sync_group(msg::sync_group_request request, int16_t version, int64_t now_ms,
                    reply<msg::sync_group_response> done);
    msg::heartbeat_response heartbeat(const msg::heartbeat_request& request, int16_t version,
                                      int64_t now_ms);
    msg::leave_group_response leave_group(const msg::leave_group_request& request,
                                          int16_t version, int64_t now_ms);

    // --- KIP-848 consumer groups ---
    // ConsumerGroupHeartbeat: join (member epoch 0), heartbeat and reconcile, leave (-1),
    // static leave (-2). Answers at once; the response carries the member's assignment when
    // Kafka's would.
    msg::consumer_group_heartbeat_response consumer_group_heartbeat(
        const msg::consumer_group_heartbeat_request& request, int16_t version,
        const client_identity& client, const topic_view& topics, int64_t now_ms);
    // One group of a ConsumerGroupDescribe; GROUP_ID_NOT_FOUND for a group that is not a
    // consumer group here. Topic names come from `topics` (assignments hold ids).
    msg::consumer_group_describe_response::described_group consumer_group_describe(
        const std::string& group_id, int16_t version, const topic_view& topics);

    // --- offsets ---
    msg::offset_commit_response offset_commit(const msg::offset_commit_request& request,
                                              int16_t version, int64_t now_ms);
    // One group of an OffsetFetch, in the v8+ shape (the handler maps older versions to and
    // from it). Null topics: every committed offset of the group. With `require_stable`
    // (v7+) a partition with pending transactional offsets answers UNSTABLE_OFFSET_COMMIT.
    msg::offset_fetch_response::offset_fetch_response_group offset_fetch(
        const msg::offset_fetch_request::offset_fetch_request_group& group, int16_t version,
        bool require_stable);
    // TxnOffsetCommit: the offsets are written as records of the request's producer (a
    // transactional batch) and stay pending, invisible to OffsetFetch, until the marker.
    msg::txn_offset_commit_response txn_offset_commit(const msg::txn_offset_commit_request& request,
                                                      int16_t version, int64_t now_ms);
    msg::offset_delete_response offset_delete(const msg::offset_delete_request& request,
                                              int16_t version, int64_t now_ms);

    // --- admin ---
    msg::describe_groups_response::described_group describe_group(const std::string& group_id,
                                                                  int16_t version);
    // The groups of this shard that pass the filters (empty filter = all; states compared
    // case-insensitively, as Kafka does).
    std::vector<msg::list_groups_response::listed_group> list_groups(
        std::span<const std::string> states_filter, std::span<const std::string> types_filter,
        int16_t version);
    // DeleteGroups for one group: NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, INVALID_GROUP_ID.
    int16_t delete_group(const std::string& group_id, int64_t now_ms);
    // Topics were deleted: every group's offsets of their partitions go (tombstones).
    void partitions_deleted(const partitions_by_topic& deleted, int64_t now_ms);

    // --- time ---
    // The earliest time on_timer() has work (session expiry, rebalance timeout, the
    // initial rebalance delay, offset expiry), or nullopt.
    std::optional<int64_t> next_deadline() const;
    void on_timer(int64_t now_ms);

    // The partition is no longer led here: every pending reply completes with
    // NOT_COORDINATOR and the shard must not be used again.
    void unload();

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace eddy::group
