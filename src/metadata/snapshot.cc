// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/snapshot.h"

namespace eddy::metadata {

std::vector<versioned_record> snapshot_records(const metadata_image& image) {
    std::vector<versioned_record> out;
    // metadata.version first: it decides how everything after it is read.
    const int16_t mv = image.metadata_version();
    if (mv != 0) out.push_back(make_record(msg::feature_level_record{"metadata.version", mv, {}}));
    for (const auto& [name, level] : image.features()) {
        if (name != "metadata.version") out.push_back(make_record(msg::feature_level_record{name, level, {}}));
    }
    for (const auto& [id, b] : image.brokers()) {
        msg::register_broker_record r;
        r.broker_id = b.id;
        r.incarnation_id = b.incarnation_id;
        r.broker_epoch = b.epoch;
        for (const auto& e : b.endpoints) r.end_points.push_back({e.name, e.host, e.port, e.security_protocol, {}});
        for (const auto& f : b.features) r.features.push_back({f.name, f.min_version, f.max_version, {}});
        r.rack = b.rack;
        r.fenced = b.fenced;
        r.in_controlled_shutdown = b.in_controlled_shutdown;
        r.log_dirs = b.log_dirs;
        out.push_back(make_record(std::move(r)));
    }
    for (const auto& [id, topic] : image.topics()) {
        out.push_back(make_record(msg::topic_record{topic->name, topic->id, {}}));
        for (const auto& [index, p] : topic->partitions) {
            msg::partition_record r;
            r.partition_id = index;
            r.topic_id = topic->id;
            r.replicas = p.replicas;
            r.isr = p.isr;
            r.removing_replicas = p.removing_replicas;
            r.adding_replicas = p.adding_replicas;
            r.leader = p.leader;
            r.leader_recovery_state = p.leader_recovery_state;
            r.leader_epoch = p.leader_epoch;
            r.partition_epoch = p.partition_epoch;
            r.directories = p.directories;
            out.push_back(make_record(std::move(r)));
        }
    }
    for (const auto& [resource, configs] : image.all_configs()) {
        for (const auto& [name, value] : configs) {
            msg::config_record r;
            r.resource_type = static_cast<int8_t>(resource.type);
            r.resource_name = resource.name;
            r.name = name;
            r.value = value;
            out.push_back(make_record(std::move(r)));
        }
    }
    // ProducerIdsImage writes the high-water mark with no broker (-1, -1).
    if (image.next_producer_id() > 0) {
        out.push_back(make_record(msg::producer_ids_record{-1, -1, image.next_producer_id(), {}}));
    }
    return out;
}

}  // namespace eddy::metadata
