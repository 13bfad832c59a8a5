// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's error codes (Apache Kafka 3.9, -1..127) as one enum, with names, retriability
// and a std::error_category so they travel in std::error_code.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

namespace eddy {

// Numbers are the wire protocol and never change; the enumerator names are Kafka's
// names in snake_case. to_string() gives Kafka's upper-case name.
enum class error_code : int16_t {
    unknown_server_error = -1,  // unexpected failure on the server
    none = 0,  // success
    offset_out_of_range = 1,  // offset outside the partition's log range
    corrupt_message = 2,  // record batch failed its checksum or is otherwise corrupt [retriable]
    unknown_topic_or_partition = 3,  // topic or partition not hosted here [retriable]
    invalid_fetch_size = 4,  // fetch size out of bounds
    leader_not_available = 5,  // partition has no leader right now (election running) [retriable]
    not_leader_or_follower = 6,  // this broker is neither leader nor follower for the partition [retriable]
    request_timed_out = 7,  // request timed out [retriable]
    broker_not_available = 8,  // broker unavailable
    replica_not_available = 9,  // replica unavailable for the partition [retriable]
    message_too_large = 10,  // record larger than the broker accepts
    stale_controller_epoch = 11,  // controller epoch is stale
    offset_metadata_too_large = 12,  // offset commit metadata too large
    network_exception = 13,  // server disconnected before answering [retriable]
    coordinator_load_in_progress = 14,  // coordinator still loading [retriable]
    coordinator_not_available = 15,  // coordinator not available [retriable]
    not_coordinator = 16,  // wrong coordinator for this key [retriable]
    invalid_topic_exception = 17,  // topic name or operation invalid for the topic
    record_list_too_large = 18,  // batch larger than the segment size
    not_enough_replicas = 19,  // too few in-sync replicas to accept the write [retriable]
    not_enough_replicas_after_append = 20,  // written, but to fewer in-sync replicas than required [retriable]
    invalid_required_acks = 21,  // acks value not allowed
    illegal_generation = 22,  // group generation does not match
    inconsistent_group_protocol = 23,  // member's protocols incompatible with the group
    invalid_group_id = 24,  // group id invalid
    unknown_member_id = 25,  // member id not known to the coordinator
    invalid_session_timeout = 26,  // session timeout outside the broker's allowed range
    rebalance_in_progress = 27,  // group is rebalancing; rejoin
    invalid_commit_offset_size = 28,  // offset commit size invalid
    topic_authorization_failed = 29,  // not authorized for the topic
    group_authorization_failed = 30,  // not authorized for the group
    cluster_authorization_failed = 31,  // not authorized for the cluster
    invalid_timestamp = 32,  // timestamp out of the accepted range
    unsupported_sasl_mechanism = 33,  // SASL mechanism not enabled
    illegal_sasl_state = 34,  // request not allowed in the current SASL state
    unsupported_version = 35,  // api version not supported
    topic_already_exists = 36,  // topic exists already
    invalid_partitions = 37,  // partition count invalid
    invalid_replication_factor = 38,  // replication factor invalid
    invalid_replica_assignment = 39,  // replica assignment invalid
    invalid_config = 40,  // configuration invalid
    not_controller = 41,  // not the active controller [retriable]
    invalid_request = 42,  // request malformed or not valid for this broker
    unsupported_for_message_format = 43,  // message format too old for the request
    policy_violation = 44,  // rejected by a create-topic or alter-config policy
    out_of_order_sequence_number = 45,  // producer sequence number out of order
    duplicate_sequence_number = 46,  // producer sequence number duplicated
    invalid_producer_epoch = 47,  // producer epoch invalid
    invalid_txn_state = 48,  // transaction state does not allow the operation
    invalid_producer_id_mapping = 49,  // producer id unknown for the transactional id
    invalid_transaction_timeout = 50,  // transaction timeout above the broker maximum
    concurrent_transactions = 51,  // another transaction operation in progress [retriable]
    transaction_coordinator_fenced = 52,  // transaction coordinator has been fenced
    transactional_id_authorization_failed = 53,  // not authorized for the transactional id
    security_disabled = 54,  // security features are disabled
    operation_not_attempted = 55,  // not attempted because another part of the batch failed
    kafka_storage_error = 56,  // disk error while accessing the log [retriable]
    log_dir_not_found = 57,  // log directory not found
    sasl_authentication_failed = 58,  // SASL authentication failed
    unknown_producer_id = 59,  // producer id unknown to the broker
    reassignment_in_progress = 60,  // partition reassignment in progress
    delegation_token_auth_disabled = 61,  // delegation tokens disabled
    delegation_token_not_found = 62,  // delegation token not found
    delegation_token_owner_mismatch = 63,  // delegation token owner mismatch
    delegation_token_request_not_allowed = 64,  // delegation tokens not allowed on this channel
    delegation_token_authorization_failed = 65,  // not authorized for the delegation token
    delegation_token_expired = 66,  // delegation token expired
    invalid_principal_type = 67,  // principal type not supported
    non_empty_group = 68,  // group is not empty
    group_id_not_found = 69,  // group id not found
    fetch_session_id_not_found = 70,  // fetch session id not found [retriable]
    invalid_fetch_session_epoch = 71,  // fetch session epoch invalid [retriable]
    listener_not_found = 72,  // no endpoint for the listener on the leader [retriable]
    topic_deletion_disabled = 73,  // topic deletion disabled
    fenced_leader_epoch = 74,  // leader epoch older than the broker's [retriable]
    unknown_leader_epoch = 75,  // leader epoch newer than the broker's [retriable]
    unsupported_compression_type = 76,  // compression type not supported for the request
    stale_broker_epoch = 77,  // broker epoch stale
    offset_not_available = 78,  // offset not available yet (leader change) [retriable]
    member_id_required = 79,  // member id required to join
    preferred_leader_not_available = 80,  // preferred leader not available [retriable]
    group_max_size_reached = 81,  // group reached its maximum size
    fenced_instance_id = 82,  // static member fenced by a newer instance
    eligible_leaders_not_available = 83,  // no eligible leader for the partition [retriable]
    election_not_needed = 84,  // leader election not needed [retriable]
    no_reassignment_in_progress = 85,  // no reassignment in progress
    group_subscribed_to_topic = 86,  // group still subscribed to the topic
    invalid_record = 87,  // record rejected by broker-side validation
    unstable_offset_commit = 88,  // pending transactional offsets not yet stable [retriable]
    throttling_quota_exceeded = 89,  // throttling quota exceeded [retriable]
    producer_fenced = 90,  // producer fenced by a newer instance
    resource_not_found = 91,  // resource not found
    duplicate_resource = 92,  // resource duplicated in the request
    unacceptable_credential = 93,  // credential not acceptable
    inconsistent_voter_set = 94,  // voter set inconsistent with the quorum
    invalid_update_version = 95,  // update version invalid
    feature_update_failed = 96,  // feature update failed
    principal_deserialization_failure = 97,  // principal could not be deserialized
    snapshot_not_found = 98,  // snapshot not found
    position_out_of_range = 99,  // position out of range
    unknown_topic_id = 100,  // topic id not hosted here [retriable]
    duplicate_broker_registration = 101,  // broker registration duplicated
    broker_id_not_registered = 102,  // broker id not registered
    inconsistent_topic_id = 103,  // topic id inconsistent with the log [retriable]
    inconsistent_cluster_id = 104,  // cluster id inconsistent
    transactional_id_not_found = 105,  // transactional id not found
    fetch_session_topic_id_error = 106,  // fetch session topic id error [retriable]
    ineligible_replica = 107,  // replica not eligible for the ISR
    new_leader_elected = 108,  // a new leader was elected
    offset_moved_to_tiered_storage = 109,  // offset moved to tiered storage
    fenced_member_epoch = 110,  // member epoch fenced
    unreleased_instance_id = 111,  // static instance id not yet released
    unsupported_assignor = 112,  // assignor not supported
    stale_member_epoch = 113,  // member epoch stale
    mismatched_endpoint_type = 114,  // request sent to the wrong endpoint type
    unsupported_endpoint_type = 115,  // endpoint type not supported
    unknown_controller_id = 116,  // controller id unknown
    unknown_subscription_id = 117,  // telemetry subscription id unknown
    telemetry_too_large = 118,  // telemetry payload too large
    invalid_registration = 119,  // controller registration invalid
    transaction_abortable = 120,  // transaction must be aborted
    invalid_record_state = 121,  // record state invalid (share groups)
    share_session_not_found = 122,  // share session not found [retriable]
    invalid_share_session_epoch = 123,  // share session epoch invalid [retriable]
    fenced_state_epoch = 124,  // share group state epoch fenced
    invalid_voter_key = 125,  // voter key mismatch
    duplicate_voter = 126,  // voter already in the voter set
    voter_not_found = 127,  // voter not in the voter set
};

// The number a response's error_code field carries.
constexpr int16_t wire_code(error_code e) { return static_cast<int16_t>(e); }

// Kafka's upper-case name ("UNKNOWN_TOPIC_OR_PARTITION"); "UNKNOWN_ERROR_CODE" for a
// number Kafka 3.9 does not define.
std::string_view to_string(error_code e);

// True when Kafka's exception for this code is a RetriableException, i.e. clients
// retry the request on their own.
bool is_retriable(error_code e);

// True when the number is one Kafka 3.9 defines.
bool is_known(int16_t code);

// The message Kafka's Errors.INVALID_REQUEST carries, which a request Kafka fails as a whole
// (its getErrorResponse) sends beside every entry.
inline constexpr std::string_view invalid_request_message =
    "This most likely occurs because of a request being malformed by the client library or the "
    "message was sent to an incompatible broker. See the broker logs for more details.";

// The message of Kafka's Errors.UNKNOWN_TOPIC_OR_PARTITION, which an answer built from the
// error alone (an ApiError without a message of its own) carries.
inline constexpr std::string_view unknown_topic_or_partition_message =
    "This server does not host this topic-partition.";

// The category behind std::error_code values made from error_code; its message() is
// to_string() of the value.
const std::error_category& kafka_category();

inline std::error_code make_error_code(error_code e) {
    return {static_cast<int>(e), kafka_category()};
}

}  // namespace eddy

template <>
struct std::is_error_code_enum<eddy::error_code> : std::true_type {};
