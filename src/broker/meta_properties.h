// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// <log.dir>/meta.properties: the cluster, node and directory a data directory belongs to,
// in the format Kafka's KRaft brokers write (version=1, cluster.id, node.id, directory.id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::broker {

// A new cluster id the way Kafka makes one (kafka-storage random-uuid): Uuid.randomUuid()
// in its text form, URL-safe base64 without padding (22 characters), never starting with '-'.
std::string random_cluster_id();

// Kafka's reserved directory ids (DirectoryId.reserved): the first 100, which name
// states such as MIGRATING, UNASSIGNED and LOST rather than a directory.
bool reserved_directory_id(const codec::uuid& id);

struct log_dir_identity {
    std::string cluster_id;
    // Each dir's directory.id, in the order the dirs were given.
    std::vector<codec::uuid> directory_ids;
};

// Makes sure every log dir exists and holds a meta.properties for this node, and
// returns the cluster id and the dirs' ids. An existing file's ids are kept; a missing
// file is written with the cluster id found in a sibling dir, else `configured_cluster_id`,
// else a new random id. A dir without a directory.id gets a new one and its file is
// rewritten, as Kafka's broker does at start-up since 3.7 (KIP-858). Throws
// config::config_error (startup only) when the dirs disagree, the stored node.id differs
// from `node_id`, the stored cluster id differs from `configured_cluster_id`, a
// directory.id is malformed, reserved or shared by two dirs, or a dir cannot be created
// or written.
log_dir_identity ensure_meta_properties(const std::vector<std::string>& log_dirs, int32_t node_id,
                                        const std::optional<std::string>& configured_cluster_id);

}  // namespace eddy::broker
