// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/consumer_records.h"

#include "eddy/msg/consumer_group_current_member_assignment_key.h"
#include "eddy/msg/consumer_group_member_metadata_key.h"
#include "eddy/msg/consumer_group_metadata_key.h"
#include "eddy/msg/consumer_group_partition_metadata_key.h"
#include "eddy/msg/consumer_group_target_assignment_member_key.h"
#include "eddy/msg/consumer_group_target_assignment_metadata_key.h"
#include "group/records.h"

namespace eddy::group {
namespace {

// Kafka 3.9 writes every consumer group value as version 0.
constexpr int16_t value_version = 0;

int16_t key_version(consumer_record_type t) { return static_cast<int16_t>(t); }

std::vector<uint8_t> key_of(consumer_record_type type, const std::string& group,
                            const std::string& member_id) {
    const int16_t v = key_version(type);
    switch (type) {
        case consumer_record_type::group_epoch: {
            msg::consumer_group_metadata_key k;
            k.group_id = group;
            return encode_versioned(v, k);
        }
        case consumer_record_type::partition_metadata: {
            msg::consumer_group_partition_metadata_key k;
            k.group_id = group;
            return encode_versioned(v, k);
        }
        case consumer_record_type::member_metadata: {
            msg::consumer_group_member_metadata_key k;
            k.group_id = group;
            k.member_id = member_id;
            return encode_versioned(v, k);
        }
        case consumer_record_type::target_epoch: {
            msg::consumer_group_target_assignment_metadata_key k;
            k.group_id = group;
            return encode_versioned(v, k);
        }
        case consumer_record_type::target_member: {
            msg::consumer_group_target_assignment_member_key k;
            k.group_id = group;
            k.member_id = member_id;
            return encode_versioned(v, k);
        }
        case consumer_record_type::current_assignment: {
            msg::consumer_group_current_member_assignment_key k;
            k.group_id = group;
            k.member_id = member_id;
            return encode_versioned(v, k);
        }
    }
    return {};
}

template <class Key>
bool read_key(codec::reader& r, int16_t version, consumer_group_event& e) {
    Key k;
    if (!k.read(r, version) || !r.ok()) return false;
    e.group = std::move(k.group_id);
    if constexpr (requires { k.member_id; }) e.member_id = std::move(k.member_id);
    return true;
}

template <class Value>
bool read_value(std::optional<std::span<const uint8_t>> bytes, consumer_group_event& e) {
    if (!bytes) return true;
    codec::reader r(bytes->data(), bytes->size());
    const int16_t version = r.read_int16();
    Value v;
    if (!r.ok() || !v.read(r, version) || !r.ok()) return false;
    e.value = std::move(v);
    return true;
}

template <class Key, class Value>
bool read(codec::reader& key, int16_t type, std::optional<std::span<const uint8_t>> value,
          consumer_group_event& e) {
    return read_key<Key>(key, type, e) && read_value<Value>(value, e);
}

}  // namespace

coordinator_record group_epoch_record(const std::string& group, int32_t epoch) {
    msg::consumer_group_metadata_value v;
    v.epoch = epoch;
    return {key_of(consumer_record_type::group_epoch, group, {}), encode_versioned(value_version, v)};
}

coordinator_record partition_metadata_record(const std::string& group,
                                             const subscription_metadata& metadata) {
    msg::consumer_group_partition_metadata_value v;
    for (const auto& [name, t] : metadata) {
        auto& topic = v.topics.emplace_back();
        topic.topic_id = t.id;
        topic.topic_name = t.name;
        topic.num_partitions = t.partitions;
        // No rack information: partition_metadata stays empty, as Kafka writes it then.
    }
    return {key_of(consumer_record_type::partition_metadata, group, {}),
            encode_versioned(value_version, v)};
}

coordinator_record member_metadata_record(const std::string& group, const consumer_member& m) {
    msg::consumer_group_member_metadata_value v;
    v.instance_id = m.instance_id;
    v.rack_id = m.rack_id;
    v.client_id = m.client_id;
    v.client_host = m.client_host;
    v.subscribed_topic_names.assign(m.subscribed_topic_names.begin(), m.subscribed_topic_names.end());
    v.subscribed_topic_regex = m.subscribed_topic_regex;
    v.rebalance_timeout_ms = m.rebalance_timeout_ms;
    v.server_assignor = m.server_assignor;
    return {key_of(consumer_record_type::member_metadata, group, m.member_id),
            encode_versioned(value_version, v)};
}

coordinator_record target_epoch_record(const std::string& group, int32_t epoch) {
    msg::consumer_group_target_assignment_metadata_value v;
    v.assignment_epoch = epoch;
    return {key_of(consumer_record_type::target_epoch, group, {}), encode_versioned(value_version, v)};
}

coordinator_record target_member_record(const std::string& group, const std::string& member_id,
                                        const topic_partitions& partitions) {
    msg::consumer_group_target_assignment_member_value v;
    v.topic_partitions =
        assignment_to<msg::consumer_group_target_assignment_member_value::topic_partition>(partitions);
    return {key_of(consumer_record_type::target_member, group, member_id),
            encode_versioned(value_version, v)};
}

coordinator_record current_assignment_record(const std::string& group, const consumer_member& m) {
    using tp = msg::consumer_group_current_member_assignment_value::topic_partitions;
    msg::consumer_group_current_member_assignment_value v;
    v.member_epoch = m.member_epoch;
    v.previous_member_epoch = m.previous_member_epoch;
    v.state = static_cast<int8_t>(m.state);
    v.assigned_partitions = assignment_to<tp>(m.assigned);
    v.partitions_pending_revocation = assignment_to<tp>(m.pending_revocation);
    return {key_of(consumer_record_type::current_assignment, group, m.member_id),
            encode_versioned(value_version, v)};
}

coordinator_record consumer_tombstone(consumer_record_type type, const std::string& group,
                                      const std::string& member_id) {
    return {key_of(type, group, member_id), std::nullopt};
}

std::optional<consumer_group_event> decode_consumer_record(
    consumer_record_type type, codec::reader& key, std::optional<std::span<const uint8_t>> value) {
    consumer_group_event e;
    e.type = type;
    const int16_t v = key_version(type);
    bool ok = false;
    switch (type) {
        case consumer_record_type::group_epoch:
            ok = read<msg::consumer_group_metadata_key, msg::consumer_group_metadata_value>(
                key, v, value, e);
            break;
        case consumer_record_type::partition_metadata:
            ok = read<msg::consumer_group_partition_metadata_key,
                      msg::consumer_group_partition_metadata_value>(key, v, value, e);
            break;
        case consumer_record_type::member_metadata:
            ok = read<msg::consumer_group_member_metadata_key,
                      msg::consumer_group_member_metadata_value>(key, v, value, e);
            break;
        case consumer_record_type::target_epoch:
            ok = read<msg::consumer_group_target_assignment_metadata_key,
                      msg::consumer_group_target_assignment_metadata_value>(key, v, value, e);
            break;
        case consumer_record_type::target_member:
            ok = read<msg::consumer_group_target_assignment_member_key,
                      msg::consumer_group_target_assignment_member_value>(key, v, value, e);
            break;
        case consumer_record_type::current_assignment:
            ok = read<msg::consumer_group_current_member_assignment_key,
                      msg::consumer_group_current_member_assignment_value>(key, v, value, e);
            break;
    }
    if (!ok) return std::nullopt;
    return e;
}

}  // namespace eddy::group
