// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The transaction coordinator of one __transaction_state partition, as Kafka 3.9's
// TransactionCoordinator and TransactionStateManager answer: InitProducerId with a
// transactional id, AddPartitionsToTxn (v0-v3), AddOffsetsToTxn, EndTxn, the abort of
// timed-out transactions, transactional id expiry, DescribeTransactions and
// ListTransactions. Sans I/O: time comes in as arguments, state changes go out as
// TransactionLog records, markers to write go out as a list (take_markers()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eddy/error_code.h"
#include "txn/txn_metadata.h"
#include "txn/txn_records.h"

namespace eddy::txn {

// Kafka's broker settings for the transaction coordinator, with Kafka's defaults.
struct txn_config {
    int32_t transaction_max_timeout_ms = 900000;  // transaction.max.timeout.ms
    int64_t transactional_id_expiration_ms = 604800000;  // transactional.id.expiration.ms
    // transaction.abort.timed.out.transaction.cleanup.interval.ms
    int64_t abort_timed_out_interval_ms = 10000;
    // transaction.remove.expired.transaction.cleanup.interval.ms
    int64_t remove_expired_interval_ms = 3600000;
    // TransactionLogValue version to write: 0 as Kafka 3.9 with transaction.version 0,
    // 1 (flexible) once transaction.version >= 1.
    int16_t value_version = 0;
};

// Hands out a fresh producer id (the broker's ProducerIdManager); called only when one is
// needed.
using producer_id_allocator = std::function<int64_t()>;

struct producer_id_and_epoch {
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
};

struct init_producer_id_result {
    error_code error = error_code::none;
    int64_t producer_id = no_producer_id;  // -1 with an error, as Kafka answers
    int16_t producer_epoch = no_producer_epoch;
};

// The markers a completed transaction needs: one WriteTxnMarkers entry for each partition,
// written by the caller once the PrepareCommit/PrepareAbort record is durable; then
// markers_written() completes the transaction.
struct txn_markers {
    std::string transactional_id;
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    int32_t coordinator_epoch = 0;
    bool commit = false;
    std::vector<topic_partition> partitions;  // sorted
};

// DescribeTransactions for one id.
struct described_txn {
    error_code error = error_code::none;
    std::string transactional_id;
    std::string state;
    int32_t timeout_ms = 0;
    int64_t start_ms = -1;
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = no_producer_epoch;
    std::vector<topic_partition> partitions;  // sorted
};

struct listed_txn {
    std::string transactional_id;
    int64_t producer_id = no_producer_id;
    std::string state;
};
struct list_txns_result {
    std::vector<std::string> unknown_state_filters;
    std::vector<listed_txn> transactions;  // sorted by transactional id
};

// Lives on: the executor of its __transaction_state partition; never shared.
//
// Each call applies its state change at once and writes it as a record (take_records());
// the runtime sends a call's reply only after the records taken after it are durable, and
// reloads the shard from the log if a write fails (so Kafka's pending states and failed-fence
// flag have no counterpart here). A shard rebuilt by replay() answers as the writer did,
// except that the last producer id/epoch of KIP-360 retries are not in the log (as in Kafka).
class txn_coordinator_shard {
public:
    txn_coordinator_shard(txn_config config, int32_t coordinator_epoch,
                          producer_id_allocator allocate_producer_id);

    // --- loading: every record of the partition in log order, then loaded() ---
    // Returns false (and changes nothing) for a record that does not parse.
    bool replay(std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value);
    // Ends loading: transactions found in PrepareCommit/PrepareAbort get their markers
    // queued again (take_markers()), and the periodic checks start from now_ms.
    void loaded(int64_t now_ms);

    std::vector<txn_record> take_records();
    std::vector<txn_markers> take_markers();

    // InitProducerId with a (non-null) transactional id. `expected` is the producer id and
    // epoch of v3+ requests (KIP-360), absent when the request has -1/-1. Errors: as Kafka's
    // coordinator (PRODUCER_FENCED before version mapping, see client_error()).
    init_producer_id_result init_producer_id(const std::string& transactional_id,
                                             int32_t transaction_timeout_ms,
                                             std::optional<producer_id_and_epoch> expected,
                                             int64_t now_ms);

    // AddPartitionsToTxn v0-v3: one error for the whole request, which Kafka gives to every
    // partition of it.
    error_code add_partitions(const std::string& transactional_id, int64_t producer_id,
                              int16_t producer_epoch, std::span<const topic_partition> partitions,
                              int64_t now_ms);
    // AddOffsetsToTxn: adds __consumer_offsets-<offsets_partition>, the partition of the
    // group (the caller computes it from the group id).
    error_code add_offsets(const std::string& transactional_id, int64_t producer_id,
                           int16_t producer_epoch, int32_t offsets_partition, int64_t now_ms);

    // EndTxn from a client.
    error_code end_txn(const std::string& transactional_id, int64_t producer_id,
                       int16_t producer_epoch, bool commit, int64_t now_ms);

    // The caller wrote every marker of a transaction (WriteTxnMarkers answered for all its
    // partitions): writes CompleteCommit/CompleteAbort. False when the transaction is no
    // longer the one the markers were for.
    bool markers_written(const txn_markers& markers, int64_t now_ms);

    described_txn describe(const std::string& transactional_id) const;
    // ListTransactions: empty filters match everything; duration_filter_ms (v1) < 0 means
    // none, otherwise only transactions that started more than that long ago.
    list_txns_result list(std::span<const std::string> state_filters,
                          std::span<const int64_t> producer_id_filters,
                          int64_t duration_filter_ms, int64_t now_ms) const;

    // --- time ---
    // The next time on_timer() has work: the next abort check or expiry check.
    std::optional<int64_t> next_deadline() const;
    // Aborts timed-out transactions (epoch bump, PrepareAbort, markers) and expires idle
    // transactional ids (tombstones), each on its own interval, as Kafka's scheduler does.
    void on_timer(int64_t now_ms);

    const txn_metadata* find(const std::string& transactional_id) const;
    size_t size() const { return txns_.size(); }

private:
    error_code add(const std::string& transactional_id, int64_t producer_id,
                   int16_t producer_epoch, std::span<const topic_partition> partitions,
                   int64_t now_ms);
    error_code end(txn_metadata& m, int64_t producer_id, int16_t producer_epoch, bool commit,
                   bool from_client, int64_t now_ms);
    void fence_and_abort(txn_metadata& m, int64_t now_ms);
    void write(const txn_metadata& m);
    void queue_markers(const txn_metadata& m);
    void abort_timed_out(int64_t now_ms);
    void expire_ids(int64_t now_ms);

    txn_config config_;
    int32_t coordinator_epoch_;
    producer_id_allocator allocate_;
    std::map<std::string, txn_metadata> txns_;
    std::vector<txn_record> records_;
    std::vector<txn_markers> markers_;
    std::optional<int64_t> next_abort_check_;
    std::optional<int64_t> next_expiry_check_;
};

// PRODUCER_FENCED as the request version can carry it: versions before KIP-588's answer
// INVALID_PRODUCER_EPOCH instead (InitProducerId < 4, AddPartitionsToTxn < 2,
// AddOffsetsToTxn < 2, EndTxn < 2, TxnOffsetCommit < 3), as Kafka's handlers map it.
error_code client_error(int16_t api_key, int16_t version, error_code error);

}  // namespace eddy::txn
