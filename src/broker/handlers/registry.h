// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The handlers this broker serves. ApiVersions is derived from this list, so adding
// a handler here is the one step that makes an api visible to clients.
#pragma once

#include <array>
#include <cstdint>

#include "broker/handlers/add_offsets_to_txn.h"
#include "broker/handlers/add_partitions_to_txn.h"
#include "broker/handlers/alter_configs.h"
#include "broker/handlers/api_versions.h"
#include "broker/handlers/consumer_group_describe.h"
#include "broker/handlers/consumer_group_heartbeat.h"
#include "broker/handlers/create_acls.h"
#include "broker/handlers/create_partitions.h"
#include "broker/handlers/create_topics.h"
#include "broker/handlers/delete_acls.h"
#include "broker/handlers/delete_groups.h"
#include "broker/handlers/delete_records.h"
#include "broker/handlers/delete_topics.h"
#include "broker/handlers/describe_acls.h"
#include "broker/handlers/describe_cluster.h"
#include "broker/handlers/describe_configs.h"
#include "broker/handlers/describe_groups.h"
#include "broker/handlers/describe_log_dirs.h"
#include "broker/handlers/describe_producers.h"
#include "broker/handlers/describe_quorum.h"
#include "broker/handlers/describe_topic_partitions.h"
#include "broker/handlers/describe_transactions.h"
#include "broker/handlers/end_txn.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/find_coordinator.h"
#include "broker/handlers/heartbeat.h"
#include "broker/handlers/incremental_alter_configs.h"
#include "broker/handlers/join_group.h"
#include "broker/handlers/leave_group.h"
#include "broker/handlers/list_groups.h"
#include "broker/handlers/list_offsets.h"
#include "broker/handlers/list_transactions.h"
#include "broker/handlers/metadata.h"
#include "broker/handlers/offset_commit.h"
#include "broker/handlers/init_producer_id.h"
#include "broker/handlers/offset_delete.h"
#include "broker/handlers/offset_fetch.h"
#include "broker/handlers/offset_for_leader_epoch.h"
#include "broker/handlers/produce.h"
#include "broker/handlers/sync_group.h"
#include "broker/handlers/txn_offset_commit.h"
#include "broker/handlers/write_txn_markers.h"
#include "broker/version_range.h"

namespace eddy::broker {

template <class... Handlers>
struct handler_list {};

// Ascending by api key (ApiVersions lists them in this order).
using registered_handlers = handler_list<
    produce_handler,
    fetch_handler,
    list_offsets_handler,
    metadata_handler,
    offset_commit_handler,
    offset_fetch_handler,
    find_coordinator_handler,
    join_group_handler,
    heartbeat_handler,
    leave_group_handler,
    sync_group_handler,
    describe_groups_handler,
    list_groups_handler,
    api_versions_handler,
    create_topics_handler,
    delete_topics_handler,
    delete_records_handler,
    init_producer_id_handler,
    offset_for_leader_epoch_handler,
    add_partitions_to_txn_handler,
    add_offsets_to_txn_handler,
    end_txn_handler,
    write_txn_markers_handler,
    txn_offset_commit_handler,
    describe_acls_handler,
    create_acls_handler,
    delete_acls_handler,
    describe_configs_handler,
    alter_configs_handler,
    describe_log_dirs_handler,
    create_partitions_handler,
    delete_groups_handler,
    incremental_alter_configs_handler,
    offset_delete_handler,
    describe_quorum_handler,
    describe_cluster_handler,
    describe_producers_handler,
    describe_transactions_handler,
    list_transactions_handler,
    consumer_group_heartbeat_handler,
    consumer_group_describe_handler,
    describe_topic_partitions_handler>;

struct api_support {
    int16_t key;
    version_range supported;
};

namespace detail {
template <class... Handlers>
constexpr auto support_table(handler_list<Handlers...>) {
    return std::array<api_support, sizeof...(Handlers)>{
        api_support{static_cast<int16_t>(Handlers::key), Handlers::supported}...};
}
}  // namespace detail

inline constexpr auto supported_apis = detail::support_table(registered_handlers{});

// The range served for `key`, or nullptr when no handler is registered.
constexpr const api_support* find_supported(int16_t key) {
    for (const api_support& a : supported_apis)
        if (a.key == key) return &a;
    return nullptr;
}

static_assert([] {
    for (size_t i = 1; i < supported_apis.size(); ++i)
        if (supported_apis[i - 1].key >= supported_apis[i].key) return false;
    return true;
}(), "registered_handlers must be listed in ascending api key order");

}  // namespace eddy::broker
