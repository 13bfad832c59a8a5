// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The log directories (log.dirs): where each partition's log lives, the per-directory
// recovery-point and log-start-offset checkpoints, and the clean-shutdown marker.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "log/checkpoint.h"
#include "log/filesystem.h"
#include "log/log.h"

namespace eddy::cluster {

// Suffixes of retired partition directories (Kafka's LocalLog names).
inline constexpr std::string_view delete_dir_suffix = "-delete";
inline constexpr std::string_view stray_dir_suffix = "-stray";

// What one partition reports for the checkpoints.
struct log_offsets {
    std::string topic;
    int32_t partition = 0;
    std::string log_dir;
    int64_t recovery_point = 0;
    int64_t log_start_offset = 0;
    // Kafka's LogManager checkpoints a log start only above the first segment's base
    // offset, where loading the log could not find it again.
    int64_t first_segment_base = 0;
};

// What `l` reports for the checkpoints (null: the partition has no log open).
log_offsets offsets_of(std::string topic, int32_t partition, std::string log_dir, const log::log* l);

// Lives on: the thread that starts and stops the replica manager for start()/close();
// open_log(), choose_dir() and retire() on the metadata thread; remove_retired() on any.
// The checkpoint maps read at start change only on the metadata thread (retire() drops a
// retired partition's entries), so open_log() may run while partitions serve requests.
class log_manager {
public:
    log_manager(std::shared_ptr<log::filesystem> fs, std::vector<std::string> log_dirs);

    // Reads each directory's checkpoints and clean-shutdown marker, then removes the
    // marker, so a crash from here on makes the next start recover.
    void start(int64_t now_ms);
    // The directory that holds (or, for a new partition, will hold) topic-partition.
    std::string choose_dir(const std::string& topic, int32_t partition);
    // Opens or creates the partition's log in `log_dir`.
    log::result<std::unique_ptr<log::log>> open_log(const std::string& log_dir,
                                                    const std::string& topic, int32_t partition,
                                                    const log::log_config& config, int64_t now_ms);
    // Writes the recovery-point and/or log-start-offset checkpoint of every directory
    // from `offsets`.
    void write_checkpoints(const std::vector<log_offsets>& offsets, bool recovery_points = true,
                           bool log_starts = true);
    // Moves a closed partition's directory aside, as Kafka's LogManager does, to
    // "<topic>-<partition>.<32 hex digits><suffix>" in the same log dir (the topic name cut
    // so the name stays within 255 bytes), and forgets the partition's checkpointed
    // offsets, so a partition of the same name opened later starts from nothing. Suffix
    // "-delete" for a deleted topic (remove_retired() later), "-stray" for a directory
    // that belongs to another topic id (kept for the operator). Returns the new path.
    log::result<std::string> retire(const std::string& log_dir, const std::string& topic,
                                     int32_t partition, std::string_view suffix);
    // (log dir, name) of every partition directory in the log dirs now.
    std::vector<std::pair<std::string, std::string>> partition_dirs();
    // Removes a retired directory with everything in it.
    std::error_code remove_retired(const std::string& path) { return fs_->remove_all(path); }
    // The "-delete" directories start() found (left by a stop before their removal).
    std::vector<std::string> take_pending_removals() { return std::move(pending_removals_); }
    // After every log was closed: checkpoints, then the clean-shutdown markers.
    // `broker_epoch`: this node's registration epoch, kept in the marker as Kafka keeps it.
    void close(const std::vector<log_offsets>& offsets, int64_t broker_epoch);

    log::filesystem& fs() { return *fs_; }
    const std::shared_ptr<log::filesystem>& shared_fs() const { return fs_; }

private:
    std::shared_ptr<log::filesystem> fs_;
    std::vector<std::string> dirs_;
    std::map<std::string, bool> clean_;  // log dir -> had the marker at start
    std::map<std::string, log::offset_checkpoint> recovery_points_;
    std::map<std::string, log::offset_checkpoint> log_starts_;
    std::map<std::string, size_t> assigned_;  // partitions placed per dir
    std::vector<std::string> pending_removals_;
};

}  // namespace eddy::cluster
