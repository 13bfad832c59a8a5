// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Choosing replicas for new partitions (the role of Kafka's StripedReplicaPlacer).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "controller/api_error.h"
#include "metadata/metadata_image.h"

namespace eddy::controller {

struct placement {
    std::vector<std::vector<int32_t>> replicas;  // one list per new partition, leader first
    api_error error;                             // INVALID_REPLICATION_FACTOR with Kafka's text
};

// Places `partitions` partitions of `replication_factor` replicas on the registered
// brokers that are not in controlled shutdown, unfenced brokers first, leaders striped
// from a random start so that partitions spread evenly.
placement place_replicas(const metadata::metadata_image& image, int32_t partitions,
                         int32_t replication_factor, std::mt19937_64& rng);

// ClusterControlManager.defaultDir for each replica: the broker's only log dir, MIGRATING
// (zero) when it registered none, UNASSIGNED when it has several or is unknown.
std::vector<codec::uuid> default_directories(const metadata::metadata_image& image,
                                             const std::vector<int32_t>& replicas);

// The ISR of a new partition: its replicas that are active.
std::vector<int32_t> active_replicas(const metadata::metadata_image& image,
                                     const std::vector<int32_t>& replicas);

// ReplicationControlManager.validateManualPartitionAssignment: a non-empty list of
// registered brokers, none twice, of `replication_factor` entries when one is given.
api_error validate_manual_assignment(const metadata::metadata_image& image,
                                     const std::vector<int32_t>& replicas,
                                     std::optional<int32_t> replication_factor);

}  // namespace eddy::controller
