// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Committed offsets of one shard's groups: OffsetCommit, OffsetFetch, OffsetDelete, the
// offsets of DeleteGroups and offsets.retention.minutes expiry, as Kafka's
// OffsetMetadataManager handles them. Changes are made only by replaying the records.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "eddy/msg/offset_commit_request.h"
#include "eddy/msg/offset_commit_response.h"
#include "eddy/msg/offset_delete_request.h"
#include "eddy/msg/offset_delete_response.h"
#include "eddy/msg/offset_fetch_request.h"
#include "eddy/msg/offset_fetch_response.h"
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
    msg::offset_fetch_response::offset_fetch_response_group fetch(
        const msg::offset_fetch_request::offset_fetch_request_group& request) const;
    msg::offset_delete_response delete_offsets(const msg::offset_delete_request& request);
    // DeleteGroups: a tombstone for every offset of the group.
    void delete_all(const std::string& group_id);
    // Writes tombstones for the group's expired offsets; true when none is left.
    bool cleanup_expired(const std::string& group_id);

    void replay(offset_commit_event event);

private:
    using partitions = std::map<int32_t, offset_entry>;
    using topics = std::map<std::string, partitions>;

    int16_t validate_commit(classic_group& group, const msg::offset_commit_request& r) const;
    const offset_entry* lookup(const std::string& group, const std::string& topic,
                               int32_t partition) const;

    // The consumer group side of commit, fetch, delete and expiry (Kafka's ConsumerGroup).
    msg::offset_commit_response commit_to_consumer_group(const consumer_group& group,
                                                         const msg::offset_commit_request& r,
                                                         int16_t version);
    // Tombstones for the requested offsets of topics the group does not subscribe to.
    void delete_unsubscribed(const msg::offset_delete_request& request,
                             const std::function<bool(const std::string&)>& is_subscribed,
                             msg::offset_delete_response& r);
    void write_commits(const msg::offset_commit_request& request, int16_t error,
                       msg::offset_commit_response& response);

    shard_context& ctx_;
    group_manager& groups_;
    consumer_group_manager& consumers_;
    std::map<std::string, topics> offsets_;  // group -> topic -> partition -> offset
};

}  // namespace eddy::group
