// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Committed offsets of one shard's groups: OffsetCommit, TxnOffsetCommit (offsets pending
// per producer until the transaction's marker), OffsetFetch, OffsetDelete, the offsets of
// DeleteGroups and offsets.retention.minutes expiry, as Kafka's OffsetMetadataManager
// handles them. Changes are made only by replaying the records.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"
#include "eddy/msg/offset_delete_request.h"
#include "eddy/msg/offset_delete_response.h"
#include "eddy/msg/offset_fetch_request.h"
#include "eddy/msg/offset_fetch_response.h"
#include "eddy/msg/txn_offset_commit_request.h"
#include "eddy/msg/txn_offset_commit_response.h"
#include "group/consumer_group_manager.h"
#include "group/group_manager.h"
#include "group/records.h"
#include "group/shard_context.h"

namespace eddy::group {

// Lives on: the shard's executor.
class offset_manager {
public:
    offset_manager(shard_context& ctx, group_manager& groups, consumer_group_manager& consumers)
        : ctx_(ctx), groups_(groups), consumers_(consumers) {}

    msg::offset_commit_response commit(const msg::offset_commit_request& request,
                                       int16_t version);
    msg::txn_offset_commit_response commit_transactional(
        const msg::txn_offset_commit_request& request, int16_t version);
    msg::offset_fetch_response::offset_fetch_response_group fetch(
        const msg::offset_fetch_request::offset_fetch_request_group& request,
        bool require_stable) const;
    msg::offset_delete_response delete_offsets(const msg::offset_delete_request& request);
    // DeleteGroups: a tombstone for every offset of the group, pending ones included.
    void delete_all(const std::string& group_id);
    // Deleted topics' partitions: a tombstone for each offset of them in every group,
    // pending ones included (Kafka's onPartitionsDeleted), so that a topic created again
    // under the same name starts without the old topic's positions.
    void delete_partitions(const partitions_by_topic& deleted);
    // Writes tombstones for the group's expired offsets; true when none is left, pending
    // transactional ones included.
    bool cleanup_expired(const std::string& group_id);

    // `producer_id` >= 0: a record of that producer's transaction, kept pending.
    void replay(offset_commit_event event, int64_t producer_id);
    void replay_end_transaction(int64_t producer_id, bool commit);

private:
    // An offset and where its record stands in the log: of a transactional offset and a
    // plain one for the same partition, the one written later wins at commit (Kafka
    // compares record offsets; the order of replay is the order of the log).
    struct stored_offset {
        offset_entry entry;
        int64_t order = 0;
    };
    using partitions = std::map<int32_t, stored_offset>;
    using topics = std::map<std::string, partitions>;
    using group_offsets = std::map<std::string, topics>;  // group -> topic -> partition

    int16_t validate_commit(classic_group& group, int32_t generation, const std::string& member_id,
                            const std::optional<std::string>& instance, bool transactional) const;
    // Kafka's validateOffsetCommit / validateTransactionalOffsetCommit: the error that
    // refuses every partition, or none (creating a simple group when allowed).
    int16_t validate_group(const std::string& group_id, int32_t generation,
                           const std::string& member_id,
                           const std::optional<std::string>& instance, int16_t version,
                           bool transactional);
    const offset_entry* lookup(const std::string& group, const std::string& topic,
                               int32_t partition) const;
    bool has_pending(const std::string& group, const std::string& topic, int32_t partition) const;
    // Writes `entry` for one partition, or answers the error refusing it.
    int16_t write_one(const std::string& group, const std::string& topic, int32_t partition,
                      const std::optional<std::string>& metadata, int16_t error,
                      offset_entry entry, int64_t producer_id, int16_t producer_epoch);

    // Tombstones for the requested offsets of topics the group does not subscribe to.
    void delete_unsubscribed(const msg::offset_delete_request& request,
                             const std::function<bool(const std::string&)>& is_subscribed,
                             msg::offset_delete_response& r);

    shard_context& ctx_;
    group_manager& groups_;
    consumer_group_manager& consumers_;
    group_offsets offsets_;
    // Transactional offsets by producer id, until the producer's marker.
    std::map<int64_t, group_offsets> pending_;
    // The producers with pending offsets, by group, topic and partition (Kafka's
    // OpenTransactions): what OffsetFetch with require_stable, expiry and deletion check.
    std::map<std::string, std::map<std::string, std::map<int32_t, std::set<int64_t>>>> open_;
    int64_t next_order_ = 0;
};

}  // namespace eddy::group
