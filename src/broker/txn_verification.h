// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KIP-890 part 1: a partition leader appends a producer's first transactional batch of a
// transaction only once the transaction coordinator confirms the partition is in it, so a
// batch the coordinator does not know of cannot leave a transaction open that no marker
// will ever end. The coordinator's side answers AddPartitionsToTxn v4+ verify-only
// requests too.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "eddy/error_code.h"
#include "txn/txn_coordinator_shard.h"

namespace eddy::broker {

using txn_partition_errors = std::map<txn::topic_partition, error_code>;

// The coordinator's answer (Kafka's handleVerifyPartitionsInTransaction): NONE for the
// partitions in the producer's ongoing transaction, TRANSACTION_ABORTABLE for the others;
// or one error for all: INVALID_PRODUCER_ID_MAPPING (unknown id, other producer),
// PRODUCER_FENCED (other epoch), CONCURRENT_TRANSACTIONS (the transaction is ending).
txn_partition_errors verify_partitions_in_txn(const txn::txn_coordinator_shard& shard,
                                              const std::string& transactional_id,
                                              int64_t producer_id, int16_t producer_epoch,
                                              const std::set<txn::topic_partition>& partitions);

// What a Produce partition answers when verification refused it.
struct produce_verification_error {
    error_code error = error_code::none;
    std::string message;  // empty: the client's own text for the code
};

// The leader's side, for the Produce request `ctx` is serving: asks the coordinator of
// `transactional_id` and answers each partition as Kafka's ReplicaManager and
// AddPartitionsToTxnManager turn the coordinator's answer into a Produce error (NONE:
// append). Produce v10 and older get INVALID_TXN_STATE where v11 gets
// TRANSACTION_ABORTABLE; errors a client should retry without a metadata refresh become
// NOT_ENOUGH_REPLICAS.
asio::awaitable<std::map<txn::topic_partition, produce_verification_error>> verify_produce(
    const request_context& ctx, const std::string& transactional_id, int64_t producer_id,
    int16_t producer_epoch, std::set<txn::topic_partition> partitions);

}  // namespace eddy::broker
