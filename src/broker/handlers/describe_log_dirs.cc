// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_log_dirs.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

using partition_ptr = std::shared_ptr<cluster::partition>;

// The partitions asked about: every one held here for a null list, else those named that
// this broker holds (Kafka leaves the others out of the answer, without an error).
std::vector<partition_ptr> asked(const cluster::replica_manager& replicas,
                                 const describe_log_dirs_handler::request& req) {
    std::vector<partition_ptr> held = replicas.hosted();
    if (!req.topics) return held;
    std::set<std::pair<std::string_view, int32_t>> named;
    for (const auto& t : *req.topics)
        for (int32_t index : t.partitions) named.emplace(t.topic, index);
    std::erase_if(held, [&](const partition_ptr& p) {
        return !named.contains({std::string_view(p->topic()), p->index()});
    });
    return held;
}

// As Kafka's answer names a dir: absolute, without a trailing separator.
std::string absolute_dir(const std::string& dir) {
    std::error_code ec;
    std::string out = std::filesystem::absolute(dir, ec).string();
    if (ec) out = dir;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

int64_t clamp_bytes(uint64_t blocks, uint64_t block_size) {
    // Kafka reports Long.MAX_VALUE for a file system too large for a long.
    constexpr auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (block_size != 0 && blocks > max / block_size) return std::numeric_limits<int64_t>::max();
    return static_cast<int64_t>(blocks * block_size);
}

}  // namespace

asio::awaitable<describe_log_dirs_handler::response> describe_log_dirs_handler::handle(
    cluster::replica_manager& replicas, request_context& /*ctx*/, request&& req) {
    std::vector<partition_ptr> targets = asked(replicas, req);
    // Sizes are read on each partition's strand, which owns its log; -1: no log open.
    std::vector<int64_t> sizes;
    if (!targets.empty()) {
        // Built outside the co_await (GCC 12 destroys a co_await expression's temporaries
        // while the hop still uses them).
        auto hop = cluster::replica_manager::on_each(targets, [](cluster::partition& p, size_t) {
            const log::log* l = p.get_log();
            return l ? static_cast<int64_t>(l->size_bytes()) : int64_t{-1};
        });
        sizes = co_await std::move(hop);
    }

    response resp;
    std::vector<std::string_view> done;  // a dir listed twice in log.dirs is answered once
    for (const std::string& dir : replicas.log_dirs()) {
        if (std::find(done.begin(), done.end(), dir) != done.end()) continue;
        done.push_back(dir);
        auto& result = resp.results.emplace_back();
        result.log_dir = absolute_dir(dir);
        struct statvfs fs_stats {};
        if (::statvfs(dir.c_str(), &fs_stats) != 0) {
            // A dir that cannot be read: the error Kafka gives a dir it has taken offline after
            // an I/O error. Its sizes stay unknown (-1).
            result.error_code = wire_code(error_code::kafka_storage_error);
            continue;
        }
        result.total_bytes = clamp_bytes(fs_stats.f_blocks, fs_stats.f_frsize);
        result.usable_bytes = clamp_bytes(fs_stats.f_bavail, fs_stats.f_frsize);
        // hosted() is ordered by topic name, so each topic's partitions come together.
        for (size_t i = 0; i < targets.size(); ++i) {
            if (targets[i]->log_dir() != dir || sizes[i] < 0) continue;
            if (result.topics.empty() || result.topics.back().name != targets[i]->topic())
                result.topics.emplace_back().name = targets[i]->topic();
            auto& partition = result.topics.back().partitions.emplace_back();
            partition.partition_index = targets[i]->index();
            partition.partition_size = sizes[i];
            // The leader's own log: its end is the high watermark's or past it (Kafka: 0).
            partition.offset_lag = 0;
            partition.is_future_key = false;
        }
    }
    co_return resp;
}

}  // namespace eddy::broker
