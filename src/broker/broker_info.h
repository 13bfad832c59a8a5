// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What a handler needs to know about this broker; built once at startup.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/broker_config.h"

namespace eddy::broker {

class cluster_metadata;    // broker/cluster_metadata.h
class producer_id_source;  // broker/producer_ids.h
}  // namespace eddy::broker

namespace eddy::cluster {
class replica_manager;  // cluster/replica_manager.h
}  // namespace eddy::cluster

namespace eddy::group {
class coordinator_runtime;  // group/runtime/coordinator_runtime.h
}  // namespace eddy::group

namespace eddy::txn {
class txn_runtime;  // txn/runtime/txn_runtime.h
}  // namespace eddy::txn

namespace eddy::broker {

// An address clients are told to use for one listener (advertised.listeners, or
// listeners with the real bound port filled in).
struct advertised_endpoint {
    std::string listener_name;
    std::string host;
    int32_t port = 0;
};

// Immutable after startup; shared by every handler on every thread.
struct broker_info {
    int32_t node_id = 1;
    std::string cluster_id;
    std::vector<advertised_endpoint> endpoints;
    std::string rack;  // empty = no rack (sent as null)
    // max.request.partition.size.limit: at most this many partitions in one
    // DescribeTopicPartitions answer, whatever the request's ResponsePartitionLimit.
    int32_t max_request_partition_size_limit = config::default_max_request_partition_size_limit;
    // fetch.max.bytes: at most this many bytes of records in one Fetch answer, whatever the
    // request's max_bytes (the first batch found still comes whole).
    int32_t fetch_max_bytes = config::default_fetch_max_bytes;
    // The metadata image and the controller's operations; null only in handler unit tests
    // that need neither (Metadata then answers from an empty image).
    std::shared_ptr<cluster_metadata> metadata;
    // The partitions this broker leads (Produce, Fetch, ListOffsets, ...); set by the
    // server before it serves requests.
    std::shared_ptr<cluster::replica_manager> replicas;
    // The group coordinator shards hosted here (the group APIs); null in handler tests
    // without one (group APIs then answer NOT_COORDINATOR).
    std::shared_ptr<group::coordinator_runtime> groups;
    // Producer ids for InitProducerId, from blocks the controller allocates; null in
    // handler tests without a controller (InitProducerId then answers
    // COORDINATOR_NOT_AVAILABLE).
    std::shared_ptr<producer_id_source> producer_ids;
    // The transaction coordinator shards hosted here (the transaction APIs); null in
    // handler tests without one (they then answer COORDINATOR_NOT_AVAILABLE).
    std::shared_ptr<txn::txn_runtime> txns;

    // The endpoint for `listener_name`, or nullptr when this broker has none.
    const advertised_endpoint* endpoint_for(const std::string& listener_name) const {
        for (const auto& e : endpoints)
            if (e.listener_name == listener_name) return &e;
        return nullptr;
    }
};

}  // namespace eddy::broker
