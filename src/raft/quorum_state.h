// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The `quorum-state` file: this node's election state. Format: quorum_state_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/filesystem.h"

namespace eddy::raft {

inline constexpr std::string_view quorum_state_file_name = "quorum-state";

// What Kafka's ElectionState keeps: epoch, leader and vote, and the static voters.
struct election_state {
    int32_t leader_epoch = 0;
    int32_t leader_id = -1;  // -1: no known leader
    int32_t voted_id = -1;   // -1: no vote in leader_epoch
    std::vector<int32_t> voters;
    bool operator==(const election_state&) const = default;
};

// One line of JSON in data_version 0, as FileQuorumStateStore writes it.
std::string to_json(const election_state& s);

// Parses data_version 0 or 1. nullopt with `error` set when the text is not a JSON object
// with the fields and types Kafka writes, or the data_version is not 0 or 1.
std::optional<election_state> parse_quorum_state(std::string_view json, std::string& error);

// Reads `<partition_dir>/quorum-state`: nullopt and no error when the file does not exist;
// an error_code (log::errc::corrupt_checkpoint) when it does not parse.
log::result<std::optional<election_state>> read_quorum_state(log::filesystem& fs,
                                                             const std::string& partition_dir);
// Replaces the file atomically and durably.
std::error_code write_quorum_state(log::filesystem& fs, const std::string& partition_dir,
                                   const election_state& s);

}  // namespace eddy::raft
