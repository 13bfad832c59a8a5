// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's text checkpoint files: offset checkpoints of a log directory
// (recovery-point-offset-checkpoint, log-start-offset-checkpoint), the partition's
// leader-epoch-checkpoint and the log directory's clean-shutdown marker.
// Format: src/log/checkpoint_format.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "log/filesystem.h"

namespace eddy::log {

// (topic, partition) -> offset.
using offset_checkpoint = std::map<std::pair<std::string, int32_t>, int64_t>;

struct epoch_entry {
    int32_t epoch;
    int64_t start_offset;
    bool operator==(const epoch_entry&) const = default;
};

// Each read returns an empty collection when the file does not exist, and
// errc::corrupt_checkpoint when it is not version 0 or does not parse.
// Each write replaces the file atomically and durably (write_file_atomically).
result<offset_checkpoint> read_offset_checkpoint(filesystem& fs, const std::string& dir,
                                                 const std::string& name);
std::error_code write_offset_checkpoint(filesystem& fs, const std::string& dir,
                                        const std::string& name, const offset_checkpoint& offsets);

result<std::vector<epoch_entry>> read_leader_epoch_checkpoint(filesystem& fs,
                                                              const std::string& partition_dir);
std::error_code write_leader_epoch_checkpoint(filesystem& fs, const std::string& partition_dir,
                                              const std::vector<epoch_entry>& entries);

// The marker a log directory gets after every log in it was closed cleanly. The broker
// writes it last at shutdown and removes it once its logs are open again, so that only a
// clean stop skips recovery. Contents as Kafka's CleanShutdownFileHandler (KIP-966):
// {"version":0,"brokerEpoch":N}.
std::error_code write_clean_shutdown_marker(filesystem& fs, const std::string& log_dir,
                                            int64_t broker_epoch = -1);
bool has_clean_shutdown_marker(filesystem& fs, const std::string& log_dir);
std::error_code remove_clean_shutdown_marker(filesystem& fs, const std::string& log_dir);

}  // namespace eddy::log
