// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// MetadataImage: the cluster metadata after applying the metadata log up to some offset.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::metadata {

// Orders uuids so they can key a std::map.
struct uuid_less {
    bool operator()(const codec::uuid& a, const codec::uuid& b) const { return a.bytes < b.bytes; }
};

// ConfigResource.Type ids, as ConfigRecord and the config RPCs carry them.
enum class resource_type : int8_t {
    unknown = 0,
    topic = 2,
    broker = 4,
    broker_logger = 8,
    client_metrics = 16,
};

using config_map = std::map<std::string, std::string, std::less<>>;

struct broker_endpoint {
    std::string name;  // listener name
    std::string host;
    uint16_t port = 0;
    int16_t security_protocol = 0;  // SecurityProtocol id: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL
    bool operator==(const broker_endpoint&) const = default;
};

struct supported_feature {
    std::string name;
    int16_t min_version = 0;
    int16_t max_version = 0;
    bool operator==(const supported_feature&) const = default;
};

// One RegisterBrokerRecord, as later fence/unfence/change records left it.
struct broker_registration {
    int32_t id = -1;
    int64_t epoch = -1;
    codec::uuid incarnation_id;
    std::vector<broker_endpoint> endpoints;
    std::vector<supported_feature> features;
    std::optional<std::string> rack;
    bool fenced = true;
    bool in_controlled_shutdown = false;
    std::vector<codec::uuid> log_dirs;
    bool operator==(const broker_registration&) const = default;
};

// A partition as PartitionRecord created it and PartitionChangeRecords changed it.
struct partition_state {
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    std::vector<int32_t> removing_replicas;
    std::vector<int32_t> adding_replicas;
    std::vector<codec::uuid> directories;
    int32_t leader = -1;  // -1: no leader
    int8_t leader_recovery_state = 0;
    int32_t leader_epoch = 0;
    int32_t partition_epoch = 0;
    bool operator==(const partition_state&) const = default;
};

struct topic_image {
    std::string name;
    codec::uuid id;
    std::map<int32_t, partition_state> partitions;  // by partition id: 0..n-1
    bool operator==(const topic_image&) const = default;
};

using topic_ptr = std::shared_ptr<const topic_image>;
using topics_by_id = std::map<codec::uuid, topic_ptr, uuid_less>;
using topics_by_name = std::map<std::string, topic_ptr, std::less<>>;
using broker_map = std::map<int32_t, broker_registration>;
using feature_map = std::map<std::string, int16_t, std::less<>>;

struct config_resource {
    resource_type type = resource_type::unknown;
    std::string name;  // topic name, broker id, or "" for the cluster-wide broker default
    auto operator<=>(const config_resource&) const = default;
};
using configs_map = std::map<config_resource, config_map>;

// Immutable once built; shared as std::shared_ptr<const metadata_image> by every reader on
// every thread. Topics are held per topic by shared_ptr, so a new image made by applying a
// few records shares every untouched topic with the image it came from. Built only by
// metadata_delta. Thread-safe (immutable).
class metadata_image {
public:
    // The image before any record: no features, brokers, topics or configs.
    static std::shared_ptr<const metadata_image> empty(std::string cluster_id = {});

    // Not in the log (Kafka keeps it in meta.properties); carried from image to image.
    const std::string& cluster_id() const { return cluster_id_; }

    // Finalized feature levels (FeatureLevelRecord); metadata_version() is 0 before the
    // bootstrap FeatureLevelRecord for "metadata.version" has been applied.
    const feature_map& features() const { return *features_; }
    int16_t metadata_version() const;

    const broker_map& brokers() const { return *brokers_; }
    const broker_registration* broker(int32_t id) const;
    // Registered, not fenced and not in controlled shutdown: may take new replicas.
    bool is_active(int32_t broker_id) const;

    const topics_by_id& topics() const { return *topics_; }
    const topics_by_name& topic_names() const { return *names_; }
    const topic_image* topic(std::string_view name) const;
    const topic_image* topic(const codec::uuid& id) const;
    topic_ptr shared_topic(const codec::uuid& id) const;  // the shared node itself

    // Dynamic configs (ConfigRecord): topic overrides, per-broker ("<id>") and
    // cluster-default ("") broker configs. Empty map when none is set.
    const configs_map& all_configs() const { return *configs_; }
    const config_map& configs(resource_type type, std::string_view name) const;

    // The first producer id of the next block the controller hands out (ProducerIdsRecord).
    int64_t next_producer_id() const { return next_producer_id_; }

    // Deep comparison of content (not of sharing).
    bool operator==(const metadata_image& o) const;

private:
    friend class metadata_delta;

    std::string cluster_id_;
    std::shared_ptr<const feature_map> features_ = std::make_shared<const feature_map>();
    std::shared_ptr<const broker_map> brokers_ = std::make_shared<const broker_map>();
    std::shared_ptr<const topics_by_id> topics_ = std::make_shared<const topics_by_id>();
    std::shared_ptr<const topics_by_name> names_ = std::make_shared<const topics_by_name>();
    std::shared_ptr<const configs_map> configs_ = std::make_shared<const configs_map>();
    int64_t next_producer_id_ = 0;
};

using image_ptr = std::shared_ptr<const metadata_image>;

}  // namespace eddy::metadata
