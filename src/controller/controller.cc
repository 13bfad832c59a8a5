// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The controller's replay, bootstrap, broker registration and producer-id blocks.
#include "controller/controller.h"

#include <fmt/format.h>

#include <algorithm>

#include "eddy/codec/random_uuid.h"

namespace eddy::controller {

namespace {
// ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
constexpr int32_t producer_id_block_size = 1000;
// BrokerRegistrationFencingChange.UNFENCE.
constexpr int8_t unfence_change = -1;
}  // namespace

controller::controller(controller_options options, metadata::image_ptr image)
    : options_(std::move(options)),
      image_(image ? std::move(image) : metadata::metadata_image::empty(options_.cluster_id)),
      rng_(options_.seed) {}

metadata::apply_status controller::replay(std::span<const metadata::versioned_record> records) {
    metadata::replay_result r = metadata::replay(image_, records);
    image_ = std::move(r.image);
    return {std::move(r.error)};
}

metadata::apply_status controller::replay_framed(std::span<const std::vector<uint8_t>> frames) {
    std::vector<metadata::versioned_record> records;
    records.reserve(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        metadata::decode_result d = metadata::decode_metadata_record(frames[i]);
        if (!d.record) {
            // Apply what came before the bad frame, as a replay of the log up to it would.
            metadata::apply_status s = replay(records);
            if (!s.ok()) return s;
            return {fmt::format("record {}: {}", i, d.error)};
        }
        records.push_back(std::move(*d.record));
    }
    return replay(records);
}

std::vector<metadata::versioned_record> controller::bootstrap_records() const {
    msg::feature_level_record mv;
    mv.name = std::string(metadata::metadata_version_feature);
    mv.feature_level = metadata::metadata_version_3_9_iv0;
    return {metadata::make_record(std::move(mv))};
}

std::vector<metadata::versioned_record> controller::bootstrap_records(
    const broker_registration_request& self) const {
    std::vector<metadata::versioned_record> records = bootstrap_records();
    // A fresh controller over the empty image decides the registration, so the result
    // does not depend on what this controller has replayed.
    controller blank(controller_options{self.broker_id, options_.cluster_id, {}, 0});
    auto reg = blank.register_broker(self);
    records.insert(records.end(), reg.records.begin(), reg.records.end());
    msg::broker_registration_change_record unfence;
    unfence.broker_id = self.broker_id;
    unfence.broker_epoch = reg.response.broker_epoch;
    unfence.fenced = unfence_change;
    records.push_back(metadata::make_record(std::move(unfence)));
    return records;
}

controller_result<broker_registration_reply> controller::register_broker(
    const broker_registration_request& request) const {
    controller_result<broker_registration_reply> out;
    const metadata::broker_registration* existing = image_->broker(request.broker_id);
    if (existing != nullptr && !existing->fenced && existing->incarnation_id != request.incarnation_id) {
        out.response.error_code = wire_code(error_code::duplicate_broker_registration);
        return out;
    }
    int64_t epoch = 0;
    for (const auto& [id, b] : image_->brokers()) epoch = std::max(epoch, b.epoch);
    msg::register_broker_record rec;
    rec.broker_id = request.broker_id;
    rec.incarnation_id = request.incarnation_id;
    rec.broker_epoch = epoch + 1;
    for (const auto& l : request.listeners) {
        msg::register_broker_record::broker_endpoint e;
        e.name = l.name;
        e.host = l.host;
        e.port = l.port;
        e.security_protocol = l.security_protocol;
        rec.end_points.push_back(std::move(e));
    }
    // Eddy writes only 3.9-IV0 records, so that is the one metadata.version it supports.
    msg::register_broker_record::broker_feature mv;
    mv.name = std::string(metadata::metadata_version_feature);
    mv.min_supported_version = metadata::metadata_version_3_9_iv0;
    mv.max_supported_version = metadata::metadata_version_3_9_iv0;
    rec.features.push_back(std::move(mv));
    rec.rack = request.rack;
    rec.fenced = true;
    rec.in_controlled_shutdown = false;
    rec.log_dirs = request.log_dirs;
    out.response.broker_epoch = rec.broker_epoch;
    out.records.push_back(metadata::make_record(std::move(rec)));
    return out;
}

controller_result<int16_t> controller::unfence_broker(int32_t broker_id, int64_t broker_epoch) const {
    controller_result<int16_t> out;
    const metadata::broker_registration* b = image_->broker(broker_id);
    if (b == nullptr) {
        out.response = wire_code(error_code::broker_id_not_registered);
        return out;
    }
    if (b->epoch != broker_epoch) {
        out.response = wire_code(error_code::stale_broker_epoch);
        return out;
    }
    out.response = 0;
    if (!b->fenced) return out;
    msg::broker_registration_change_record rec;
    rec.broker_id = broker_id;
    rec.broker_epoch = broker_epoch;
    rec.fenced = unfence_change;
    out.records.push_back(metadata::make_record(std::move(rec)));
    return out;
}

controller_result<producer_id_block> controller::allocate_producer_ids(int32_t broker_id,
                                                                       int64_t broker_epoch) const {
    controller_result<producer_id_block> out;
    const metadata::broker_registration* b = image_->broker(broker_id);
    if (b == nullptr || b->epoch != broker_epoch) {
        // ClusterControlManager.checkBrokerEpoch: both are a stale epoch.
        out.response.error_code = wire_code(error_code::stale_broker_epoch);
        return out;
    }
    const int64_t first = image_->next_producer_id();
    if (first > INT64_MAX - producer_id_block_size) {
        out.response.error_code = wire_code(error_code::unknown_server_error);
        return out;
    }
    msg::producer_ids_record rec;
    rec.broker_id = broker_id;
    rec.broker_epoch = broker_epoch;
    rec.next_producer_id = first + producer_id_block_size;
    out.records.push_back(metadata::make_record(std::move(rec)));
    out.response.first_producer_id = first;
    out.response.size = producer_id_block_size;
    return out;
}

codec::uuid controller::new_topic_id() {
    while (true) {
        codec::uuid id = codec::random_uuid(rng_);
        if (image_->topic(id) == nullptr) return id;
    }
}

}  // namespace eddy::controller
