// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What handlers see of the cluster metadata: the current image, and the controller's
// operations (which write the metadata log and return once the records are committed and
// applied). Implemented by the server's metadata service.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "eddy/msg/alter_configs_request.h"
#include "eddy/msg/alter_configs_response.h"
#include "eddy/msg/create_partitions_request.h"
#include "eddy/msg/create_partitions_response.h"
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"
#include "eddy/msg/delete_topics_request.h"
#include "eddy/msg/delete_topics_response.h"
#include "eddy/msg/describe_configs_request.h"
#include "eddy/msg/describe_configs_response.h"
#include "eddy/msg/incremental_alter_configs_request.h"
#include "eddy/msg/incremental_alter_configs_response.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

// What Metadata says about a topic it asked to auto-create (Kafka's KRaft broker rules:
// UNKNOWN_TOPIC_OR_PARTITION while it is being created, INVALID_TOPIC_EXCEPTION for a bad
// name, ...).
struct auto_create_status {
    std::string name;
    int16_t error_code = 0;
};

// A block of producer ids the controller handed to this broker (AllocateProducerIds).
struct producer_id_range {
    int16_t error_code = 0;
    int64_t first = -1;
    int32_t size = 0;
};

// Where the metadata quorum (`__cluster_metadata-0`) stands, as DescribeQuorum reports it.
struct quorum_status {
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;
    int64_t high_watermark = -1;
    int64_t leader_end_offset = -1;  // the leader's log end offset
    std::vector<int32_t> voters;     // ids, ascending
};

// Thread-safe: image() from any thread; the operations may be awaited from any executor
// and resume there. Arguments are taken by value: the coroutines own them.
class cluster_metadata {
public:
    virtual ~cluster_metadata() = default;

    // The latest published image (never null once the broker serves requests).
    virtual metadata::image_ptr image() const = 0;

    virtual asio::awaitable<msg::create_topics_response> create_topics(
        msg::create_topics_request request, int16_t version) = 0;
    virtual asio::awaitable<msg::delete_topics_response> delete_topics(
        msg::delete_topics_request request, int16_t version) = 0;
    virtual asio::awaitable<msg::create_partitions_response> create_partitions(
        msg::create_partitions_request request, int16_t version) = 0;
    virtual asio::awaitable<msg::describe_configs_response> describe_configs(
        msg::describe_configs_request request, int16_t version) = 0;
    virtual asio::awaitable<msg::alter_configs_response> alter_configs(
        msg::alter_configs_request request, int16_t version) = 0;
    virtual asio::awaitable<msg::incremental_alter_configs_response> incremental_alter_configs(
        msg::incremental_alter_configs_request request, int16_t version) = 0;

    // Creates the topics of `names` that do not exist when `allowed` and the broker's
    // auto.create.topics.enable permit; one status per name that did not exist.
    virtual asio::awaitable<std::vector<auto_create_status>> auto_create_topics(
        std::vector<std::string> names, bool allowed) = 0;

    // The next block of producer ids for this broker, recorded in the metadata log
    // (ProducerIdsRecord) so no id is handed out twice, even across restarts.
    virtual asio::awaitable<producer_id_range> allocate_producer_ids() = 0;

    // The quorum's leader, epoch, high watermark and voters, read where the quorum lives.
    virtual asio::awaitable<quorum_status> describe_quorum() = 0;
};

}  // namespace eddy::broker
