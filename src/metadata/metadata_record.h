// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The records of the `__cluster_metadata` log, and their framing as Kafka writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "eddy/msg/abort_transaction_record.h"
#include "eddy/msg/access_control_entry_record.h"
#include "eddy/msg/begin_transaction_record.h"
#include "eddy/msg/broker_registration_change_record.h"
#include "eddy/msg/client_quota_record.h"
#include "eddy/msg/config_record.h"
#include "eddy/msg/delegation_token_record.h"
#include "eddy/msg/end_transaction_record.h"
#include "eddy/msg/feature_level_record.h"
#include "eddy/msg/fence_broker_record.h"
#include "eddy/msg/no_op_record.h"
#include "eddy/msg/partition_change_record.h"
#include "eddy/msg/partition_record.h"
#include "eddy/msg/producer_ids_record.h"
#include "eddy/msg/register_broker_record.h"
#include "eddy/msg/register_controller_record.h"
#include "eddy/msg/remove_access_control_entry_record.h"
#include "eddy/msg/remove_delegation_token_record.h"
#include "eddy/msg/remove_topic_record.h"
#include "eddy/msg/remove_user_scram_credential_record.h"
#include "eddy/msg/topic_record.h"
#include "eddy/msg/unfence_broker_record.h"
#include "eddy/msg/unregister_broker_record.h"
#include "eddy/msg/user_scram_credential_record.h"
#include "eddy/msg/zk_migration_state_record.h"

namespace eddy::metadata {

// Any record of the metadata log (every generated type whose schema is a
// `metadata` record). Decoding picks the alternative by the frame's api key.
using metadata_record = std::variant<
    msg::register_broker_record, msg::unregister_broker_record, msg::topic_record,
    msg::partition_record, msg::config_record, msg::partition_change_record,
    msg::fence_broker_record, msg::unfence_broker_record, msg::remove_topic_record,
    msg::delegation_token_record, msg::user_scram_credential_record, msg::feature_level_record,
    msg::client_quota_record, msg::producer_ids_record, msg::broker_registration_change_record,
    msg::access_control_entry_record, msg::remove_access_control_entry_record,
    msg::no_op_record, msg::zk_migration_state_record, msg::remove_user_scram_credential_record,
    msg::begin_transaction_record, msg::end_transaction_record, msg::abort_transaction_record,
    msg::remove_delegation_token_record, msg::register_controller_record>;

// A record and the schema version it is (or was) written in: Kafka's ApiMessageAndVersion.
struct versioned_record {
    metadata_record record;
    int16_t version = 0;
    bool operator==(const versioned_record&) const = default;
};

// metadata.version 3.9-IV0 (feature level 21): Kafka 3.9's default for a new cluster.
inline constexpr int16_t metadata_version_3_9_iv0 = 21;
inline constexpr std::string_view metadata_version_feature = "metadata.version";

// The version of the record with `api_key` that Kafka 3.9 writes at metadata.version
// 3.9-IV0 (MetadataVersion.registerBrokerRecordVersion, partitionRecordVersion, ...):
// RegisterBrokerRecord 3, PartitionRecord 1, PartitionChangeRecord 1,
// BrokerRegistrationChangeRecord 2, every other record 0.
int16_t record_version_3_9(int16_t api_key);

// Wraps `r` with the version record_version_3_9 picks for its type.
template <class T>
versioned_record make_record(T r) {
    return versioned_record{metadata_record{std::move(r)}, record_version_3_9(T::api_key)};
}

// The api key of the record held by `r`.
int16_t api_key_of(const metadata_record& r);

// Kafka's frame for one metadata record (AbstractApiMessageSerde): unsigned varint frame
// version (1), unsigned varint api key, unsigned varint record version, then the record
// body in that version. This is the value of one Kafka record in a metadata batch.
void encode_metadata_record(const versioned_record& r, std::vector<uint8_t>& out);
std::vector<uint8_t> encode_metadata_record(const versioned_record& r);
size_t metadata_record_size(const versioned_record& r);

// Frames every record of `records`, in order: what the quorum appends as one batch.
std::vector<std::vector<uint8_t>> frame_records(std::span<const versioned_record> records);

struct decode_result {
    std::optional<versioned_record> record;  // set on success
    std::string error;                       // why not, when record is empty
};

// Decodes one framed record. Fails (never throws) on frame version != 1, an unknown api
// key, a version outside the schema's range, a malformed body, or bytes left over.
decode_result decode_metadata_record(std::span<const uint8_t> frame);

}  // namespace eddy::metadata
