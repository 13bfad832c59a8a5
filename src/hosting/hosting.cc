// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "hosting/hosting.h"

namespace eddy::hosting {

error_code call_error(slot_state state) {
    switch (state) {
    case slot_state::loading:
        return error_code::coordinator_load_in_progress;
    case slot_state::unloaded:
        return error_code::not_coordinator;
    case slot_state::loaded:
        break;
    }
    return error_code::none;
}

error_code write_error(error_code append_error) {
    switch (append_error) {
    case error_code::not_leader_or_follower:
    case error_code::kafka_storage_error:
        return error_code::not_coordinator;
    case error_code::unknown_topic_or_partition:
    case error_code::not_enough_replicas:
    case error_code::not_enough_replicas_after_append:
    case error_code::request_timed_out:
        return error_code::coordinator_not_available;
    // A transactional write (TxnOffsetCommit) refused for its producer: the client hears
    // why, as Kafka passes those errors through.
    case error_code::invalid_producer_epoch:
    case error_code::producer_fenced:
    case error_code::invalid_txn_state:
    case error_code::out_of_order_sequence_number:
    case error_code::invalid_producer_id_mapping:
        return append_error;
    default:
        return error_code::unknown_server_error;
    }
}

}  // namespace eddy::hosting
