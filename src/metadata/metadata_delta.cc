// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/metadata_delta.h"

#include <fmt/format.h>

#include "metadata/image_records.h"
#include "eddy/codec/uuid_text.h"

namespace eddy::metadata {

namespace {

// PartitionChangeRecord.Leader default: the leader does not change.
constexpr int32_t no_leader_change = -2;
// BrokerRegistrationFencingChange / BrokerRegistrationInControlledShutdownChange.
constexpr int8_t fence_change_fence = 1;
constexpr int8_t fence_change_unfence = -1;
constexpr int8_t shutdown_change_in_controlled_shutdown = 1;

apply_status fail(std::string message) { return apply_status{std::move(message)}; }

}  // namespace

metadata_delta::metadata_delta(image_ptr base) : base_(std::move(base)) {}

broker_map& metadata_delta::brokers() {
    if (!brokers_) brokers_ = *base_->brokers_;
    return *brokers_;
}
feature_map& metadata_delta::features() {
    if (!features_) features_ = *base_->features_;
    return *features_;
}
configs_map& metadata_delta::configs() {
    if (!configs_) configs_ = *base_->configs_;
    return *configs_;
}
topics_by_id& metadata_delta::topics() {
    if (!topics_) topics_ = *base_->topics_;
    return *topics_;
}
topics_by_name& metadata_delta::names() {
    if (!names_) names_ = *base_->names_;
    return *names_;
}

const topic_image* metadata_delta::find_topic(const codec::uuid& id) {
    const topics_by_id& all = topics_ ? *topics_ : *base_->topics_;
    auto it = all.find(id);
    return it == all.end() ? nullptr : it->second.get();
}

topic_image* metadata_delta::mutable_topic(const codec::uuid& id) {
    if (auto owned = owned_topics_.find(id); owned != owned_topics_.end()) {
        return owned->second.get();
    }
    auto it = topics().find(id);
    if (it == topics().end()) return nullptr;
    auto copy = std::make_shared<topic_image>(*it->second);
    it->second = copy;
    names()[copy->name] = copy;
    owned_topics_.emplace(id, copy);
    return copy.get();
}

apply_status metadata_delta::apply(const metadata_record& r) {
    return std::visit([this](const auto& rec) { return apply(rec); }, r);
}

apply_status metadata_delta::apply(const msg::register_broker_record& r) {
    brokers()[r.broker_id] = to_registration(r);
    return {};
}

apply_status metadata_delta::apply(const msg::unregister_broker_record& r) {
    auto it = brokers().find(r.broker_id);
    if (it == brokers().end() || it->second.epoch != r.broker_epoch) {
        return fail(fmt::format("UnregisterBrokerRecord for broker {} epoch {} matches no "
                                "registration",
                                r.broker_id, r.broker_epoch));
    }
    brokers().erase(it);
    return {};
}

apply_status metadata_delta::apply(const msg::fence_broker_record& r) {
    auto it = brokers().find(r.id);
    if (it == brokers().end() || it->second.epoch != r.epoch) {
        return fail(fmt::format("FenceBrokerRecord for unknown broker {} epoch {}", r.id, r.epoch));
    }
    it->second.fenced = true;
    return {};
}

apply_status metadata_delta::apply(const msg::unfence_broker_record& r) {
    auto it = brokers().find(r.id);
    if (it == brokers().end() || it->second.epoch != r.epoch) {
        return fail(
            fmt::format("UnfenceBrokerRecord for unknown broker {} epoch {}", r.id, r.epoch));
    }
    it->second.fenced = false;
    return {};
}

apply_status metadata_delta::apply(const msg::broker_registration_change_record& r) {
    auto it = brokers().find(r.broker_id);
    if (it == brokers().end() || it->second.epoch != r.broker_epoch) {
        return fail(fmt::format("BrokerRegistrationChangeRecord for unknown broker {} epoch {}",
                                r.broker_id, r.broker_epoch));
    }
    if (r.fenced == fence_change_fence) it->second.fenced = true;
    if (r.fenced == fence_change_unfence) it->second.fenced = false;
    if (r.in_controlled_shutdown == shutdown_change_in_controlled_shutdown) {
        it->second.in_controlled_shutdown = true;
    }
    if (!r.log_dirs.empty()) it->second.log_dirs = r.log_dirs;
    return {};
}

apply_status metadata_delta::apply(const msg::topic_record& r) {
    if (r.topic_id.is_zero()) return fail(fmt::format("TopicRecord {} has the zero id", r.name));
    if (names().count(r.name) != 0) {
        return fail(fmt::format("TopicRecord for {}, but a topic of that name exists", r.name));
    }
    if (topics().count(r.topic_id) != 0) {
        return fail(fmt::format("TopicRecord for {} reuses topic id {}", r.name,
                                to_string(r.topic_id)));
    }
    auto t = std::make_shared<topic_image>();
    t->name = r.name;
    t->id = r.topic_id;
    topics().emplace(r.topic_id, t);
    names().emplace(r.name, t);
    owned_topics_.emplace(r.topic_id, t);
    return {};
}

apply_status metadata_delta::apply(const msg::partition_record& r) {
    topic_image* t = mutable_topic(r.topic_id);
    if (t == nullptr) {
        return fail(fmt::format("PartitionRecord {} for unknown topic id {}", r.partition_id,
                                to_string(r.topic_id)));
    }
    t->partitions[r.partition_id] = to_partition_state(r);
    return {};
}

apply_status metadata_delta::apply(const msg::partition_change_record& r) {
    const topic_image* current = find_topic(r.topic_id);
    if (current == nullptr || current->partitions.count(r.partition_id) == 0) {
        return fail(fmt::format("PartitionChangeRecord for unknown partition {} of topic {}",
                                r.partition_id, to_string(r.topic_id)));
    }
    partition_state& p = mutable_topic(r.topic_id)->partitions[r.partition_id];
    // PartitionRegistration.merge: absent fields keep their value, a leader change bumps
    // the leader epoch, and every change bumps the partition epoch.
    if (r.replicas) p.replicas = *r.replicas;
    if (r.directories) p.directories = *r.directories;
    if (r.isr) p.isr = *r.isr;
    if (r.removing_replicas) p.removing_replicas = *r.removing_replicas;
    if (r.adding_replicas) p.adding_replicas = *r.adding_replicas;
    if (r.leader != no_leader_change) {
        p.leader = r.leader;
        p.leader_epoch += 1;
    }
    if (r.leader_recovery_state != -1) p.leader_recovery_state = r.leader_recovery_state;
    p.partition_epoch += 1;
    return {};
}

apply_status metadata_delta::apply(const msg::remove_topic_record& r) {
    auto it = topics().find(r.topic_id);
    if (it == topics().end()) {
        return fail(fmt::format("RemoveTopicRecord for unknown topic id {}", to_string(r.topic_id)));
    }
    const std::string name = it->second->name;
    names().erase(name);
    topics().erase(it);
    owned_topics_.erase(r.topic_id);
    // A removed topic's overrides go with it (Kafka's ConfigurationsDelta does the same).
    configs().erase(config_resource{resource_type::topic, name});
    return {};
}

apply_status metadata_delta::apply(const msg::config_record& r) {
    config_resource key{static_cast<resource_type>(r.resource_type), r.resource_name};
    auto& all = configs();
    if (r.value) {
        all[key][r.name] = *r.value;
        return {};
    }
    auto it = all.find(key);
    if (it == all.end()) return {};
    it->second.erase(r.name);
    if (it->second.empty()) all.erase(it);
    return {};
}

apply_status metadata_delta::apply(const msg::feature_level_record& r) {
    // Level 0 removes a feature (FeatureControlManager.replay).
    if (r.feature_level == 0) {
        features().erase(r.name);
    } else {
        features()[r.name] = r.feature_level;
    }
    return {};
}

apply_status metadata_delta::apply(const msg::producer_ids_record& r) {
    const int64_t current = next_producer_id_.value_or(base_->next_producer_id_);
    if (r.next_producer_id <= current) {
        return fail(fmt::format("ProducerIdsRecord next producer id {} is not above {}",
                                r.next_producer_id, current));
    }
    next_producer_id_ = r.next_producer_id;
    return {};
}

image_ptr metadata_delta::build() {
    if (!brokers_ && !features_ && !configs_ && !topics_ && !names_ && !next_producer_id_) {
        return base_;
    }
    auto next = std::make_shared<metadata_image>(*base_);
    if (brokers_) next->brokers_ = std::make_shared<const broker_map>(std::move(*brokers_));
    if (features_) next->features_ = std::make_shared<const feature_map>(std::move(*features_));
    if (configs_) next->configs_ = std::make_shared<const configs_map>(std::move(*configs_));
    if (topics_) next->topics_ = std::make_shared<const topics_by_id>(std::move(*topics_));
    if (names_) next->names_ = std::make_shared<const topics_by_name>(std::move(*names_));
    if (next_producer_id_) next->next_producer_id_ = *next_producer_id_;
    brokers_.reset();
    features_.reset();
    configs_.reset();
    topics_.reset();
    names_.reset();
    next_producer_id_.reset();
    owned_topics_.clear();
    base_ = next;
    return next;
}

replay_result replay(image_ptr base, std::span<const versioned_record> records) {
    metadata_delta delta(std::move(base));
    for (size_t i = 0; i < records.size(); ++i) {
        apply_status s = delta.apply(records[i]);
        if (!s.ok()) return {delta.build(), fmt::format("record {}: {}", i, s.error)};
    }
    return {delta.build(), {}};
}

}  // namespace eddy::metadata
