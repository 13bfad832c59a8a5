// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/records.h"

#include "eddy/codec/reader.h"
#include "eddy/msg/group_metadata_key.h"
#include "eddy/msg/offset_commit_key.h"
#include "eddy/msg/share_group_member_metadata_key.h"
#include "eddy/msg/share_group_member_metadata_value.h"
#include "eddy/msg/share_group_metadata_key.h"
#include "eddy/msg/share_group_metadata_value.h"
#include "eddy/msg/share_group_partition_metadata_key.h"
#include "eddy/msg/share_group_partition_metadata_value.h"

namespace eddy::group {
namespace {

std::vector<uint8_t> offset_key(const std::string& group, const std::string& topic,
                                int32_t partition) {
    msg::offset_commit_key key;
    key.group = group;
    key.topic = topic;
    key.partition = partition;
    return encode_versioned(offset_commit_key_version, key);
}

std::vector<uint8_t> group_key(const std::string& group) {
    msg::group_metadata_key key;
    key.group = group;
    return encode_versioned(group_metadata_key_version, key);
}

// Reads a message of the version its first two bytes name; false when it does not parse.
template <class Message>
bool read_versioned(codec::reader& r, Message& out, int16_t version) {
    return out.read(r, version) && r.ok();
}

// A record type the shard skips must still parse, so garbage is never taken for one.
template <class Key, class Value>
bool parses(codec::reader& key, int16_t type, std::optional<std::span<const uint8_t>> value) {
    Key k;
    if (!read_versioned(key, k, type)) return false;
    if (!value) return true;
    codec::reader r(value->data(), value->size());
    const int16_t version = r.read_int16();
    Value v;
    return r.ok() && read_versioned(r, v, version);
}

}  // namespace

coordinator_record offset_commit_record(const std::string& group, const std::string& topic,
                                        int32_t partition, const offset_entry& entry) {
    msg::offset_commit_value value;
    value.offset = entry.offset;
    value.leader_epoch = entry.leader_epoch.value_or(-1);
    value.metadata = entry.metadata;
    value.commit_timestamp = entry.commit_timestamp_ms;
    value.expire_timestamp = entry.expire_timestamp_ms.value_or(-1);
    // Kafka's rule (MetadataVersion.offsetCommitValueVersion): v1 is the only version that
    // carries an expire timestamp, so a commit with a retention time is written as v1;
    // every other commit as v3, the newest non-flexible version.
    const int16_t version = entry.expire_timestamp_ms ? 1 : 3;
    return {offset_key(group, topic, partition), encode_versioned(version, value)};
}

coordinator_record offset_commit_tombstone(const std::string& group, const std::string& topic,
                                           int32_t partition) {
    return {offset_key(group, topic, partition), std::nullopt};
}

coordinator_record group_metadata_record(const std::string& group,
                                         const msg::group_metadata_value& value) {
    return {group_key(group), encode_versioned(group_metadata_value_version, value)};
}

coordinator_record group_metadata_tombstone(const std::string& group) {
    return {group_key(group), std::nullopt};
}

std::optional<decoded_record> decode_record(std::span<const uint8_t> key,
                                            std::optional<std::span<const uint8_t>> value) {
    codec::reader kr(key.data(), key.size());
    const int16_t type = kr.read_int16();
    if (!kr.ok()) return std::nullopt;

    if (type == 0 || type == 1) {
        msg::offset_commit_key k;
        if (!read_versioned(kr, k, type)) return std::nullopt;
        offset_commit_event event{std::move(k.group), std::move(k.topic), k.partition, {}};
        if (value) {
            codec::reader vr(value->data(), value->size());
            const int16_t version = vr.read_int16();
            msg::offset_commit_value v;
            if (!vr.ok() || !read_versioned(vr, v, version)) return std::nullopt;
            offset_entry e;
            e.offset = v.offset;
            if (v.leader_epoch >= 0) e.leader_epoch = v.leader_epoch;
            e.metadata = std::move(v.metadata);
            e.commit_timestamp_ms = v.commit_timestamp;
            if (version == 1 && v.expire_timestamp != -1) e.expire_timestamp_ms = v.expire_timestamp;
            event.value = std::move(e);
        }
        return decoded_record{std::move(event)};
    }
    if (type == 2) {
        msg::group_metadata_key k;
        if (!read_versioned(kr, k, type)) return std::nullopt;
        group_metadata_event event{std::move(k.group), {}};
        if (value) {
            codec::reader vr(value->data(), value->size());
            const int16_t version = vr.read_int16();
            msg::group_metadata_value v;
            if (!vr.ok() || !read_versioned(vr, v, version)) return std::nullopt;
            event.value = std::move(v);
        }
        return decoded_record{std::move(event)};
    }

    if (type >= 3 && type <= 8) {
        auto event = decode_consumer_record(static_cast<consumer_record_type>(type), kr, value);
        if (!event) return std::nullopt;
        return decoded_record{std::move(*event)};
    }

    bool ok = true;
    switch (type) {
        case 9:
            ok = parses<msg::share_group_partition_metadata_key,
                        msg::share_group_partition_metadata_value>(kr, type, value);
            break;
        case 10:
            ok = parses<msg::share_group_member_metadata_key,
                        msg::share_group_member_metadata_value>(kr, type, value);
            break;
        case 11:
            ok = parses<msg::share_group_metadata_key, msg::share_group_metadata_value>(kr, type,
                                                                                        value);
            break;
        default:
            // A negative type is no record Kafka ever wrote; a larger one is a type from a
            // newer Kafka, which the loader skips (UnknownRecordTypeException is ignored).
            ok = type > 11;
            break;
    }
    if (!ok) return std::nullopt;
    return decoded_record{ignored_record{}};
}

}  // namespace eddy::group
