// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// <log.dir>/meta.properties: the cluster id and node id a data directory belongs to,
// in the format Kafka's KRaft brokers write (version=1, cluster.id, node.id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eddy::broker {

// A new cluster id the way Kafka makes one: 16 random bytes in URL-safe base64
// without padding (22 characters), never starting with '-'.
std::string random_cluster_id();

// Makes sure every log dir exists and holds a meta.properties for this node, and
// returns the cluster id. An existing file's cluster id is kept; a missing file is
// written with the id found in a sibling dir, else `configured_cluster_id`, else a
// new random id. Throws config::config_error (startup only) when the dirs disagree,
// the stored node.id differs from `node_id`, the stored cluster id differs from
// `configured_cluster_id`, or a dir cannot be created or written.
std::string ensure_meta_properties(const std::vector<std::string>& log_dirs, int32_t node_id,
                                   const std::optional<std::string>& configured_cluster_id);

}  // namespace eddy::broker
