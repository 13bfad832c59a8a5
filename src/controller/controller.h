// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The controller: the only writer of cluster metadata. Sans I/O.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/api_error.h"
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
#include "metadata/metadata_delta.h"
#include "metadata/metadata_image.h"
#include "metadata/metadata_record.h"

namespace eddy::controller {

using static_config = std::map<std::string, std::string, std::less<>>;

struct controller_options {
    int32_t node_id = 1;
    std::string cluster_id;
    // server.properties as given (the broker's static configs); the source of
    // num.partitions, default.replication.factor, auto.create.topics.enable,
    // delete.topic.enable and of the broker defaults of topic configs.
    static_config static_configs;
    // Seeds topic ids and replica placement; a server passes a random seed, tests a fixed one.
    uint64_t seed = 0;
};

// What an operation decided: the records to append to the metadata log, atomically and in
// order, and the response to send once they are committed. An operation never changes the
// controller; only replay() does, so a follower, a restart and the active controller all
// build the same image from the same records.
template <class Response>
struct controller_result {
    std::vector<metadata::versioned_record> records;
    Response response;
};

// A block of producer ids handed to one broker (AllocateProducerIds).
struct producer_id_block {
    int16_t error_code = 0;
    int64_t first_producer_id = -1;
    int32_t size = 0;  // ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE (1000) on success
};

// How a broker registers itself (the parts of BrokerRegistrationRequest we keep).
struct broker_registration_request {
    int32_t broker_id = -1;
    codec::uuid incarnation_id;
    std::vector<metadata::broker_endpoint> listeners;
    std::optional<std::string> rack;
    std::vector<codec::uuid> log_dirs;
};

struct broker_registration_reply {
    int16_t error_code = 0;
    int64_t broker_epoch = -1;
};

// What a Metadata request should say about a topic it asked to auto-create.
struct auto_create_outcome {
    std::string name;
    int16_t error_code = 0;  // for the Metadata response (Kafka's KRaft broker rules)
    bool created = false;    // records to create it are in the result
};

// Single-threaded and deterministic: time and randomness come in from outside.
// Contract with the quorum: append an operation's records as one batch, and call replay()
// with them (in order) before the next operation, as Kafka's active controller applies
// its own records at once. replay() is also how followers and restarts catch up.
// Lives on: the controller's executor; not shared. Readers take image() (immutable).
class controller {
public:
    explicit controller(controller_options options,
                        metadata::image_ptr image = nullptr /* empty image */);

    const metadata::image_ptr& image() const { return image_; }
    const controller_options& options() const { return options_; }

    // Applies committed records in log order and moves image() on. Stops at the first
    // record that does not fit (an inconsistent log: the caller should treat it as fatal).
    metadata::apply_status replay(std::span<const metadata::versioned_record> records);
    // The same for records as the log stores them (decode_metadata_record frames).
    metadata::apply_status replay_framed(std::span<const std::vector<uint8_t>> frames);

    // The first records of a brand-new cluster: metadata.version at 3.9-IV0 (what
    // `kafka-storage format` writes into bootstrap.checkpoint).
    std::vector<metadata::versioned_record> bootstrap_records() const;
    // The first batch of a brand-new single-node cluster: the bootstrap records, then
    // this node's registration and its unfencing (broker epoch 1).
    std::vector<metadata::versioned_record> bootstrap_records(
        const broker_registration_request& self) const;
    // RegisterBrokerRecord (fenced, as Kafka registers) for a broker joining the cluster;
    // the epoch is one above every broker epoch the image knows.
    controller_result<broker_registration_reply> register_broker(
        const broker_registration_request& request) const;
    // BrokerRegistrationChangeRecord unfencing a registered broker (its first heartbeat).
    controller_result<int16_t> unfence_broker(int32_t broker_id, int64_t broker_epoch) const;
    // ProducerIdsRecord for the next block of 1000 ids.
    controller_result<producer_id_block> allocate_producer_ids(int32_t broker_id,
                                                               int64_t broker_epoch) const;

    controller_result<msg::create_topics_response> create_topics(
        const msg::create_topics_request& request, int16_t version, int64_t now_ms);
    controller_result<msg::delete_topics_response> delete_topics(
        const msg::delete_topics_request& request, int16_t version, int64_t now_ms) const;
    controller_result<msg::create_partitions_response> create_partitions(
        const msg::create_partitions_request& request, int16_t version, int64_t now_ms);
    controller_result<msg::incremental_alter_configs_response> incremental_alter_configs(
        const msg::incremental_alter_configs_request& request, int16_t version,
        int64_t now_ms) const;
    controller_result<msg::alter_configs_response> alter_configs(
        const msg::alter_configs_request& request, int16_t version, int64_t now_ms) const;
    // Read-only: from the image and the static configs.
    msg::describe_configs_response describe_configs(const msg::describe_configs_request& request,
                                                    int16_t version) const;

    // Metadata's auto-creation (auto.create.topics.enable, num.partitions,
    // default.replication.factor; __consumer_offsets and __transaction_state get their
    // own partition counts, replication factors and configs). `allowed` is the request's
    // allow_auto_topic_creation (always true before Metadata v4).
    controller_result<std::vector<auto_create_outcome>> auto_create_topics(
        std::span<const std::string> names, bool allowed, int64_t now_ms);

private:
    friend struct topic_creator;

    codec::uuid new_topic_id();
    api_error add_partitions(const metadata::metadata_image& image,
                             const msg::create_partitions_request::create_partitions_topic& topic,
                             std::vector<metadata::versioned_record>& records);

    controller_options options_;
    metadata::image_ptr image_;
    std::mt19937_64 rng_;
};

}  // namespace eddy::controller
