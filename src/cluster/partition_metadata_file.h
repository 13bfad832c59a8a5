// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's partition.metadata: the id of the topic a partition directory belongs to. A
// topic deleted and created again under the same name gets a new id, so a directory the
// old topic left behind is never taken for the new one's (format:
// partition_dir_format.md).
#pragma once

#include "eddy/codec/types.h"
#include "log/filesystem.h"
#include "log/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace eddy::cluster {

inline constexpr std::string_view partition_metadata_name = "partition.metadata";

// Writes `topic_id` to `partition_dir`/partition.metadata, atomically and fsynced.
std::error_code write_partition_metadata(log::filesystem& fs, const std::string& partition_dir,
                                         const codec::uuid& topic_id);

// The topic id in `partition_dir`/partition.metadata; nullopt when there is no such file.
// A file that does not parse, or holds the zero uuid, is errc::illegal_byte_sequence.
log::result<std::optional<codec::uuid>> read_partition_metadata(log::filesystem& fs,
                                                                const std::string& partition_dir);

}  // namespace eddy::cluster
