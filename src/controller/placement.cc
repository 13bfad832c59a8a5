// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "controller/placement.h"

#include <fmt/format.h>

#include <algorithm>

namespace eddy::controller {

namespace {
codec::uuid unassigned_dir() {
    codec::uuid u;  // DirectoryId.UNASSIGNED = Uuid(0, 1)
    u.bytes[15] = 1;
    return u;
}
}  // namespace

placement place_replicas(const metadata::metadata_image& image, int32_t partitions,
                         int32_t replication_factor, std::mt19937_64& rng) {
    std::vector<int32_t> unfenced;
    std::vector<int32_t> fenced;
    for (const auto& [id, b] : image.brokers()) {
        if (b.in_controlled_shutdown) continue;
        (b.fenced ? fenced : unfenced).push_back(id);
    }
    const auto total = static_cast<int32_t>(unfenced.size() + fenced.size());
    const auto refuse = [&](const std::string& why) {
        return placement{{},
                         fail(error_code::invalid_replication_factor,
                              fmt::format("Unable to replicate the partition {} time(s): {}",
                                          replication_factor, why))};
    };
    if (replication_factor <= 0) {
        return refuse(fmt::format(
            "Invalid replication factor {}: the replication factor must be positive.",
            replication_factor));
    }
    if (unfenced.empty()) return refuse("All brokers are currently fenced.");
    if (replication_factor > total) {
        return refuse(fmt::format("The target replication factor of {} cannot be reached because "
                                  "only {} broker(s) are registered.",
                                  replication_factor, total));
    }
    std::vector<int32_t> order = unfenced;
    order.insert(order.end(), fenced.begin(), fenced.end());
    const size_t start = rng() % unfenced.size();
    placement out;
    out.replicas.reserve(static_cast<size_t>(partitions));
    for (int32_t p = 0; p < partitions; ++p) {
        // The leader walks the unfenced brokers; followers are the next brokers after it.
        const size_t leader = (start + static_cast<size_t>(p)) % unfenced.size();
        std::vector<int32_t> replicas;
        for (size_t i = 0; static_cast<int32_t>(replicas.size()) < replication_factor; ++i) {
            int32_t b = order[(leader + i) % order.size()];
            if (std::find(replicas.begin(), replicas.end(), b) == replicas.end()) {
                replicas.push_back(b);
            }
        }
        out.replicas.push_back(std::move(replicas));
    }
    return out;
}

std::vector<codec::uuid> default_directories(const metadata::metadata_image& image,
                                             const std::vector<int32_t>& replicas) {
    std::vector<codec::uuid> dirs;
    dirs.reserve(replicas.size());
    for (int32_t id : replicas) {
        const metadata::broker_registration* b = image.broker(id);
        if (b == nullptr || b->log_dirs.size() > 1) {
            dirs.push_back(unassigned_dir());
        } else if (b->log_dirs.empty()) {
            dirs.push_back(codec::uuid{});  // DirectoryId.MIGRATING
        } else {
            dirs.push_back(b->log_dirs.front());
        }
    }
    return dirs;
}

std::vector<int32_t> active_replicas(const metadata::metadata_image& image,
                                     const std::vector<int32_t>& replicas) {
    std::vector<int32_t> isr;
    for (int32_t id : replicas) {
        if (image.is_active(id)) isr.push_back(id);
    }
    return isr;
}

api_error validate_manual_assignment(const metadata::metadata_image& image,
                                     const std::vector<int32_t>& replicas,
                                     std::optional<int32_t> replication_factor) {
    if (replicas.empty()) {
        return fail(error_code::invalid_replica_assignment,
                    "The manual partition assignment includes an empty replica list.");
    }
    std::vector<int32_t> sorted = replicas;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (image.broker(sorted[i]) == nullptr) {
            return fail(error_code::invalid_replica_assignment,
                        fmt::format("The manual partition assignment includes broker {}, but no "
                                    "such broker is registered.",
                                    sorted[i]));
        }
        if (i > 0 && sorted[i] == sorted[i - 1]) {
            return fail(error_code::invalid_replica_assignment,
                        fmt::format("The manual partition assignment includes the broker {} more "
                                    "than once.",
                                    sorted[i]));
        }
    }
    if (replication_factor && static_cast<int32_t>(sorted.size()) != *replication_factor) {
        return fail(error_code::invalid_replica_assignment,
                    fmt::format("The manual partition assignment includes a partition with {} "
                                "replica(s), but this is not consistent with previous partitions, "
                                "which have {} replica(s).",
                                sorted.size(), *replication_factor));
    }
    return {};
}

}  // namespace eddy::controller
