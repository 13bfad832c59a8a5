// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/txn_marker_writer.h"

#include <algorithm>
#include <memory>

#include <asio/post.hpp>

#include "broker/broker_info.h"
#include "cluster/replica_manager.h"
#include "common/wall_clock.h"
#include "controller/topic_names.h"
#include "group/runtime/coordinator_runtime.h"

namespace eddy::broker {
namespace {

// Kafka answers UNKNOWN_TOPIC_OR_PARTITION for a partition this broker does not host at
// all, and NOT_LEADER_OR_FOLLOWER only for one it follows.
cluster::replica_manager::lookup_result find_partition(const broker_info& broker,
                                                       const std::string& topic, int32_t index) {
    cluster::replica_manager::lookup_result found;
    if (!broker.replicas) {
        found.error = error_code::not_leader_or_follower;
        return found;
    }
    found = broker.replicas->lookup(topic, index);
    if (found.error != error_code::not_leader_or_follower) return found;
    const metadata::topic_image* t = broker.replicas->image()->topic(topic);
    if (t == nullptr) return found;
    auto it = t->partitions.find(index);
    if (it == t->partitions.end()) return found;
    const std::vector<int32_t>& replicas = it->second.replicas;
    if (std::find(replicas.begin(), replicas.end(), broker.replicas->node_id()) == replicas.end())
        found.error = error_code::unknown_topic_or_partition;
    return found;
}

}  // namespace

void write_txn_marker(const broker_info& broker, const std::string& topic, int32_t partition,
                      const record::txn_marker& marker, std::function<void(error_code)> done) {
    cluster::replica_manager::lookup_result found = find_partition(broker, topic, partition);

    if (topic == controller::group_metadata_topic) {
        // Kafka answers a partition it does not host before asking the group coordinator,
        // which writes the marker itself and then settles the pending offsets.
        if (found.error == error_code::unknown_topic_or_partition) {
            done(found.error);
            return;
        }
        if (!broker.groups) {
            done(error_code::not_coordinator);
            return;
        }
        broker.groups->complete_transaction(partition, marker, std::move(done));
        return;
    }
    if (!found.p) {
        done(found.error);
        return;
    }
    // The partition's state is its strand's: append there, answer from there.
    asio::any_io_executor ex = found.p->executor();
    asio::post(ex, [p = std::move(found.p), marker, done = std::move(done)]() {
        done(p->write_marker(marker, wall_clock_ms()));
    });
}

}  // namespace eddy::broker
