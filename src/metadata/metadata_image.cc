// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/metadata_image.h"

#include <algorithm>

namespace eddy::metadata {

std::shared_ptr<const metadata_image> metadata_image::empty(std::string cluster_id) {
    auto image = std::make_shared<metadata_image>();
    image->cluster_id_ = std::move(cluster_id);
    return image;
}

int16_t metadata_image::metadata_version() const {
    auto it = features_->find(std::string_view("metadata.version"));
    return it == features_->end() ? 0 : it->second;
}

const broker_registration* metadata_image::broker(int32_t id) const {
    auto it = brokers_->find(id);
    return it == brokers_->end() ? nullptr : &it->second;
}

bool metadata_image::is_active(int32_t broker_id) const {
    const broker_registration* b = broker(broker_id);
    return b != nullptr && !b->fenced && !b->in_controlled_shutdown;
}

const topic_image* metadata_image::topic(std::string_view name) const {
    auto it = names_->find(name);
    return it == names_->end() ? nullptr : it->second.get();
}

const topic_image* metadata_image::topic(const codec::uuid& id) const {
    auto it = topics_->find(id);
    return it == topics_->end() ? nullptr : it->second.get();
}

topic_ptr metadata_image::shared_topic(const codec::uuid& id) const {
    auto it = topics_->find(id);
    return it == topics_->end() ? nullptr : it->second;
}

const config_map& metadata_image::configs(resource_type type, std::string_view name) const {
    static const config_map none;
    auto it = configs_->find(config_resource{type, std::string(name)});
    return it == configs_->end() ? none : it->second;
}

bool metadata_image::operator==(const metadata_image& o) const {
    if (cluster_id_ != o.cluster_id_ || *features_ != *o.features_ || *brokers_ != *o.brokers_ ||
        *configs_ != *o.configs_ || next_producer_id_ != o.next_producer_id_ ||
        topics_->size() != o.topics_->size() || names_->size() != o.names_->size()) {
        return false;
    }
    auto same_topic = [](const auto& a, const auto& b) {
        return a.first == b.first && (a.second == b.second || *a.second == *b.second);
    };
    return std::equal(topics_->begin(), topics_->end(), o.topics_->begin(), same_topic) &&
           std::equal(names_->begin(), names_->end(), o.names_->begin(), same_topic);
}

}  // namespace eddy::metadata
