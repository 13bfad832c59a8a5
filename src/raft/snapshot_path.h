// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Snapshot file names in the `__cluster_metadata-0` directory, as Kafka's Snapshots and
// SnapshotPath spell them. Format: snapshot_format.md.
#pragma once

#include "log/filesystem.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::raft {

// Kafka's OffsetAndEpoch naming a snapshot: it holds the state of every offset below
// `end_offset`, and `epoch` is the leader epoch of the batch holding end_offset - 1.
struct snapshot_id {
    int64_t end_offset = 0;
    int32_t epoch = 0;
    auto operator<=>(const snapshot_id&) const = default;
};

inline constexpr std::string_view snapshot_suffix = ".checkpoint";
inline constexpr std::string_view partial_snapshot_suffix = ".checkpoint.part";
inline constexpr std::string_view deleted_snapshot_suffix = ".checkpoint.deleted";

// "<end offset, 20 digits>-<epoch, 10 digits>" (Snapshots.filenameFromSnapshotId).
std::string snapshot_file_stem(snapshot_id id);
// The finished snapshot: stem + ".checkpoint".
std::string snapshot_file_name(snapshot_id id);
// Where a snapshot is written before it is renamed: stem + ".checkpoint.part". (Kafka puts
// a random infix between the two; parse_snapshot_path() reads both forms.)
std::string partial_snapshot_file_name(snapshot_id id);

// A snapshot file name taken apart (Kafka's SnapshotPath).
struct snapshot_path {
    std::string name;
    snapshot_id id;
    bool partial = false;  // .checkpoint.part: a write that was never finished
    bool deleted = false;  // .checkpoint.deleted: marked for deletion
};

// nullopt for a name that is not a snapshot file (a segment, an index, quorum-state...).
std::optional<snapshot_path> parse_snapshot_path(std::string_view name);

// The finished snapshots in `dir`, oldest first. Removes what a crash left behind, as Kafka
// does when it opens the metadata log: partial files of interrupted writes and files marked
// for deletion.
log::result<std::vector<snapshot_id>> load_snapshot_ids(log::filesystem& fs,
                                                        const std::string& dir);

// Removes the snapshot file `id` (and its .deleted twin, if any) and syncs the directory.
std::error_code delete_snapshot(log::filesystem& fs, const std::string& dir, snapshot_id id);

}  // namespace eddy::raft
