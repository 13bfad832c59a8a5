// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// MetadataDelta: applies metadata records, in log order, on top of an image.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "metadata/metadata_image.h"
#include "metadata/metadata_record.h"

namespace eddy::metadata {

// Why a record could not be applied; empty when it was. A record that does not fit the
// image (a partition of an unknown topic, a second topic with a taken name) means the
// log is inconsistent: the caller treats it as fatal, as Kafka's fault handler does.
struct apply_status {
    std::string error;
    bool ok() const { return error.empty(); }
};

// Collects the changes of a run of records and builds the next image from them. Copies
// only what a record touches: the topic maps once per delta (pointer copies), and each
// changed topic once; every other topic node is shared with the base image. A record
// that fails leaves the delta as it was before that record.
// Lives on: the thread that replays the metadata log; not shared.
class metadata_delta {
public:
    explicit metadata_delta(image_ptr base);

    apply_status apply(const versioned_record& r) { return apply(r.record); }
    apply_status apply(const metadata_record& r);

    apply_status apply(const msg::register_broker_record& r);
    apply_status apply(const msg::unregister_broker_record& r);
    apply_status apply(const msg::fence_broker_record& r);
    apply_status apply(const msg::unfence_broker_record& r);
    apply_status apply(const msg::broker_registration_change_record& r);
    apply_status apply(const msg::topic_record& r);
    apply_status apply(const msg::partition_record& r);
    apply_status apply(const msg::partition_change_record& r);
    apply_status apply(const msg::remove_topic_record& r);
    apply_status apply(const msg::config_record& r);
    apply_status apply(const msg::feature_level_record& r);
    apply_status apply(const msg::producer_ids_record& r);
    // ACLs, SCRAM, quotas, delegation tokens, metadata transactions, controller
    // registrations, NoOp and ZK migration records are accepted and not kept (yet).
    template <class T>
    apply_status apply(const T&) {
        return {};
    }

    // The image with every applied record; the base itself when nothing changed. The
    // delta then continues from the returned image.
    image_ptr build();

private:
    broker_map& brokers();
    feature_map& features();
    configs_map& configs();
    topics_by_id& topics();
    topics_by_name& names();
    // Topic `id` as this delta sees it, without copying; nullptr when unknown.
    const topic_image* find_topic(const codec::uuid& id);
    // A private copy of topic `id` that this delta may change; nullptr when unknown.
    topic_image* mutable_topic(const codec::uuid& id);

    image_ptr base_;
    std::optional<broker_map> brokers_;
    std::optional<feature_map> features_;
    std::optional<configs_map> configs_;
    std::optional<topics_by_id> topics_;
    std::optional<topics_by_name> names_;
    // Topics copied in this delta (and so safe to change); the maps above point at the same
    // nodes. Cleared by build(), after which the nodes belong to the image.
    std::map<codec::uuid, std::shared_ptr<topic_image>, uuid_less> owned_topics_;
    std::optional<int64_t> next_producer_id_;
};

// Applies `records` to `base` in order. Stops at the first record that fails; `error`
// then names its index and cause and the image holds the records before it.
struct replay_result {
    image_ptr image;
    std::string error;
};
replay_result replay(image_ptr base, std::span<const versioned_record> records);

}  // namespace eddy::metadata
