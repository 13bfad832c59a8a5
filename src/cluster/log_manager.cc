// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster/log_manager.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "cluster/logger.h"
#include "log/file_names.h"

namespace eddy::cluster {

log_manager::log_manager(std::shared_ptr<log::filesystem> fs, std::vector<std::string> log_dirs)
    : fs_(std::move(fs)), dirs_(std::move(log_dirs)) {}

void log_manager::start(int64_t /*now_ms*/) {
    for (const std::string& dir : dirs_) {
        (void)fs_->create_directories(dir);
        clean_[dir] = log::has_clean_shutdown_marker(*fs_, dir);
        auto rp = log::read_offset_checkpoint(*fs_, dir,
                                              std::string(log::recovery_point_checkpoint_name));
        if (rp) recovery_points_[dir] = std::move(*rp);
        else replica_log().warn("{}: unreadable recovery point checkpoint; recovering all logs", dir);
        auto ls = log::read_offset_checkpoint(*fs_, dir,
                                              std::string(log::log_start_offset_checkpoint_name));
        if (ls) log_starts_[dir] = std::move(*ls);
        if (clean_[dir]) {
            if (auto ec = log::remove_clean_shutdown_marker(*fs_, dir))
                replica_log().warn("{}: cannot remove the clean shutdown marker: {}", dir, ec.message());
        }
        // A partition directory already here stays here. Deleted partitions whose removal
        // a stop cut short are removed again, as Kafka's loadLogs does.
        if (auto names = fs_->list(dir)) {
            for (const std::string& n : *names) {
                if (n.ends_with(delete_dir_suffix)) {
                    pending_removals_.push_back(log::join_path(dir, n));
                } else if (n.ends_with(stray_dir_suffix)) {
                    replica_log().warn("{}: stray partition directory {} kept; remove it when it is no longer needed",
                                       dir, n);
                } else if (log::parse_partition_dir_name(n)) {
                    ++assigned_[dir];
                }
            }
        }
    }
}

std::string log_manager::choose_dir(const std::string& topic, int32_t partition) {
    std::string name = log::partition_dir_name(topic, partition);
    for (const std::string& dir : dirs_)
        if (fs_->exists(log::join_path(dir, name))) return dir;
    // Kafka places a new partition in the directory holding the fewest partitions.
    std::string best = dirs_.front();
    for (const std::string& dir : dirs_)
        if (assigned_[dir] < assigned_[best]) best = dir;
    ++assigned_[best];
    return best;
}

log::result<std::unique_ptr<log::log>> log_manager::open_log(const std::string& log_dir,
                                                             const std::string& topic,
                                                             int32_t partition,
                                                             const log::log_config& config,
                                                             int64_t now_ms) {
    log::open_options opts;
    auto key = std::make_pair(topic, partition);
    if (auto it = recovery_points_[log_dir].find(key); it != recovery_points_[log_dir].end())
        opts.recovery_point = it->second;
    if (auto it = log_starts_[log_dir].find(key); it != log_starts_[log_dir].end())
        opts.log_start_offset = it->second;
    opts.clean_shutdown = clean_[log_dir];
    opts.now_ms = now_ms;
    std::string path = log::join_path(log_dir, log::partition_dir_name(topic, partition));
    // A new directory has no history: checkpoint entries under its name are a deleted
    // topic's (a kill before the next checkpoint pass leaves them).
    if (!fs_->exists(path)) opts = {.clean_shutdown = opts.clean_shutdown, .now_ms = now_ms};
    return log::log::open(*fs_, path, config, opts);
}

void log_manager::write_checkpoints(const std::vector<log_offsets>& offsets,
                                    bool recovery_points, bool log_starts) {
    std::map<std::string, log::offset_checkpoint> rp, ls;
    for (const std::string& dir : dirs_) {
        rp[dir];
        ls[dir];
    }
    for (const log_offsets& o : offsets) {
        rp[o.log_dir][{o.topic, o.partition}] = o.recovery_point;
        if (o.log_start_offset > o.first_segment_base) ls[o.log_dir][{o.topic, o.partition}] = o.log_start_offset;
    }
    for (const std::string& dir : dirs_) {
        if (recovery_points) {
            if (auto ec = log::write_offset_checkpoint(
                    *fs_, dir, std::string(log::recovery_point_checkpoint_name), rp[dir]))
                replica_log().error("{}: writing the recovery point checkpoint: {}", dir, ec.message());
        }
        if (log_starts) {
            if (auto ec = log::write_offset_checkpoint(
                    *fs_, dir, std::string(log::log_start_offset_checkpoint_name), ls[dir]))
                replica_log().error("{}: writing the log start checkpoint: {}", dir, ec.message());
        }
    }
}

std::vector<std::pair<std::string, std::string>> log_manager::partition_dirs() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& dir : dirs_) {
        auto names = fs_->list(dir);
        if (!names) continue;
        for (const std::string& n : *names)
            if (log::parse_partition_dir_name(n) && fs_->exists(log::join_path(dir, n)))
                out.emplace_back(dir, n);
    }
    return out;
}

log::result<std::string> log_manager::retire(const std::string& log_dir, const std::string& topic,
                                             int32_t partition, std::string_view suffix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::string from = log::join_path(log_dir, log::partition_dir_name(topic, partition));
    std::string tail = fmt::format("-{}.{:016x}{:016x}{}", partition, rng(), rng(), suffix);
    std::string to = log::join_path(
        log_dir, topic.substr(0, std::min(topic.size(), size_t{255} - tail.size())) + tail);
    if (auto ec = fs_->rename(from, to)) return ec;
    if (auto ec = fs_->sync_directory(log_dir)) return ec;
    recovery_points_[log_dir].erase({topic, partition});
    log_starts_[log_dir].erase({topic, partition});
    if (assigned_[log_dir] > 0) --assigned_[log_dir];
    return to;
}

log_offsets offsets_of(std::string topic, int32_t partition, std::string log_dir, const log::log* l) {
    log_offsets o{std::move(topic), partition, std::move(log_dir)};
    if (l == nullptr) return o;
    o.recovery_point = l->recovery_point();
    o.log_start_offset = l->earliest();
    o.first_segment_base = l->segments().empty() ? 0 : l->segments().begin()->first;
    return o;
}

void log_manager::close(const std::vector<log_offsets>& offsets, int64_t broker_epoch) {
    write_checkpoints(offsets);
    for (const std::string& dir : dirs_)
        if (auto ec = log::write_clean_shutdown_marker(*fs_, dir, broker_epoch))
            replica_log().error("{}: writing the clean shutdown marker: {}", dir, ec.message());
}

}  // namespace eddy::cluster
