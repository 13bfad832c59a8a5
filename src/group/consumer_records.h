// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The __consumer_offsets records of KIP-848 consumer groups (key types 3-8, Kafka's
// CoordinatorRecordHelpers formats, records_format.md): encoding for the consumer group
// manager, decoding for replay.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "eddy/codec/reader.h"
#include "eddy/msg/consumer_group_current_member_assignment_value.h"
#include "eddy/msg/consumer_group_member_metadata_value.h"
#include "eddy/msg/consumer_group_metadata_value.h"
#include "eddy/msg/consumer_group_partition_metadata_value.h"
#include "eddy/msg/consumer_group_target_assignment_member_value.h"
#include "eddy/msg/consumer_group_target_assignment_metadata_value.h"
#include "group/consumer_group.h"
#include "group/coordinator_shard.h"

namespace eddy::group {

// Key versions (record types) of consumer group records.
enum class consumer_record_type : int16_t {
    group_epoch = 3,        // ConsumerGroupMetadataKey/Value
    partition_metadata = 4, // ConsumerGroupPartitionMetadataKey/Value
    member_metadata = 5,    // ConsumerGroupMemberMetadataKey/Value
    target_epoch = 6,       // ConsumerGroupTargetAssignmentMetadataKey/Value
    target_member = 7,      // ConsumerGroupTargetAssignmentMemberKey/Value
    current_assignment = 8, // ConsumerGroupCurrentMemberAssignmentKey/Value
};

coordinator_record group_epoch_record(const std::string& group, int32_t epoch);
coordinator_record partition_metadata_record(const std::string& group,
                                             const subscription_metadata& metadata);
coordinator_record member_metadata_record(const std::string& group, const consumer_member& m);
coordinator_record target_epoch_record(const std::string& group, int32_t epoch);
coordinator_record target_member_record(const std::string& group, const std::string& member_id,
                                        const topic_partitions& partitions);
coordinator_record current_assignment_record(const std::string& group, const consumer_member& m);
// The tombstone of a record type; `member_id` for the per-member types 5, 7 and 8.
coordinator_record consumer_tombstone(consumer_record_type type, const std::string& group,
                                      const std::string& member_id = {});

// A decoded consumer group record; an empty value is a tombstone.
struct consumer_group_event {
    consumer_record_type type = consumer_record_type::group_epoch;
    std::string group;
    std::string member_id;  // types 5, 7 and 8
    std::optional<std::variant<msg::consumer_group_metadata_value,
                               msg::consumer_group_partition_metadata_value,
                               msg::consumer_group_member_metadata_value,
                               msg::consumer_group_target_assignment_metadata_value,
                               msg::consumer_group_target_assignment_member_value,
                               msg::consumer_group_current_member_assignment_value>>
        value;
};

// Decodes a record of type 3-8 whose key reader stands after the type; nullopt when the
// bytes do not parse.
std::optional<consumer_group_event> decode_consumer_record(
    consumer_record_type type, codec::reader& key, std::optional<std::span<const uint8_t>> value);

// Assignments as the records and the heartbeat carry them.
template <class TopicPartitions>
topic_partitions assignment_from(const std::vector<TopicPartitions>& list) {
    topic_partitions out;
    for (const auto& t : list) {
        if (t.partitions.empty()) continue;
        out[t.topic_id].insert(t.partitions.begin(), t.partitions.end());
    }
    return out;
}
template <class TopicPartitions>
std::vector<TopicPartitions> assignment_to(const topic_partitions& a) {
    std::vector<TopicPartitions> out;
    for (const auto& [id, partitions] : a) {
        auto& t = out.emplace_back();
        t.topic_id = id;
        t.partitions.assign(partitions.begin(), partitions.end());
    }
    return out;
}

}  // namespace eddy::group
