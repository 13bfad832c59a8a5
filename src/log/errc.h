// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The log module's own error codes; the broker maps them to Kafka codes at the handler boundary.
#pragma once

#include <system_error>

namespace eddy::log {

enum class errc {
    offset_out_of_range = 1,  // -> OFFSET_OUT_OF_RANGE
    record_list_too_large,    // batches larger than segment.bytes -> RECORD_LIST_TOO_LARGE
    invalid_batches,          // append input is not a sequence of whole magic-2 batches -> CORRUPT_MESSAGE
    corrupt_index,            // an index file failed its sanity check (rebuilt on open)
    corrupt_checkpoint,       // a checkpoint file could not be parsed
    unexpected_eof,           // a read ended before the bytes the caller asked for
    log_failed,               // an earlier write failed and could not be undone; the log is read-only
    out_of_order_sequence,    // an idempotent producer's sequence gap -> OUT_OF_ORDER_SEQUENCE_NUMBER
    invalid_producer_epoch,   // an older producer epoch than the partition saw -> INVALID_PRODUCER_EPOCH
    // A plain batch inside the producer's open transaction, or a transactional one opening
    // a transaction without verification -> INVALID_TXN_STATE.
    invalid_txn_state,
    coordinator_fenced,       // a marker from an older coordinator epoch -> TRANSACTION_COORDINATOR_FENCED
};

const std::error_category& log_category();
std::error_code make_error_code(errc e);

}  // namespace eddy::log

template <>
struct std::is_error_code_enum<eddy::log::errc> : std::true_type {};
