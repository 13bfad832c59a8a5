// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One transactional id's state, as Kafka 3.9's TransactionMetadata holds it, and the
// states with the transitions Kafka allows between them.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace eddy::txn {

// The numbers are the TransactionStatus byte of TransactionLogValue.
enum class txn_state : int8_t {
    empty = 0,
    ongoing = 1,
    prepare_commit = 2,
    prepare_abort = 3,
    complete_commit = 4,
    complete_abort = 5,
    dead = 6,
    prepare_epoch_fence = 7,
};

// Kafka's names ("Empty", "PrepareCommit", ...), as DescribeTransactions and
// ListTransactions show them.
std::string_view state_name(txn_state state);
std::optional<txn_state> state_from_name(std::string_view name);
std::optional<txn_state> state_from_id(int8_t id);
// Kafka's validPreviousStates: whether `to` may follow `from`.
bool valid_transition(txn_state from, txn_state to);
// Empty, CompleteCommit and CompleteAbort: no transaction in flight, so the id may expire.
bool expiration_allowed(txn_state state);

inline constexpr int64_t no_producer_id = -1;
inline constexpr int16_t no_producer_epoch = -1;
// Kafka never hands out an epoch at or above this, so the coordinator can always fence.
inline constexpr int16_t max_client_epoch = 32766;
inline bool epoch_exhausted(int16_t epoch) { return epoch >= max_client_epoch; }

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct txn_metadata {
    std::string transactional_id;
    int64_t producer_id = no_producer_id;
    // Kept in memory only (TransactionLogValue has no field for them): a shard rebuilt
    // from the log has -1 here, as a Kafka coordinator does after a move.
    int64_t last_producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    int16_t last_producer_epoch = no_producer_epoch;
    int32_t timeout_ms = 0;
    txn_state state = txn_state::empty;
    std::set<topic_partition> partitions;
    int64_t start_ms = -1;  // when the first partition was added; -1 while Empty
    int64_t last_update_ms = 0;

    // The fields TransactionLogValue carries, compared (replay equivalence).
    bool same_durable_state(const txn_metadata& other) const;
};

}  // namespace eddy::txn
