// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/snapshot.h"

#include "metadata/image_records.h"

namespace eddy::metadata {

std::vector<versioned_record> snapshot_records(const metadata_image& image) {
    std::vector<versioned_record> out;
    // metadata.version first: it decides how everything after it is read.
    const int16_t mv = image.metadata_version();
    if (mv != 0) out.push_back(make_record(msg::feature_level_record{"metadata.version", mv, {}}));
    for (const auto& [name, level] : image.features()) {
        if (name != "metadata.version")
            out.push_back(make_record(msg::feature_level_record{name, level, {}}));
    }
    for (const auto& [id, b] : image.brokers()) out.push_back(make_record(to_record(b)));
    for (const auto& [id, topic] : image.topics()) {
        out.push_back(make_record(msg::topic_record{topic->name, topic->id, {}}));
        for (const auto& [index, p] : topic->partitions) {
            out.push_back(make_record(to_record(topic->id, index, p)));
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
