// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/txn_verification.h"

#include <utility>

#include "broker/txn_routing.h"

namespace eddy::broker {
namespace {

// Kafka's AddPartitionsToTxnManager, then ReplicaManager's postVerificationCallback.
produce_verification_error produce_error_of(error_code e, int16_t produce_version) {
    switch (e) {
    case error_code::none: return {};
    case error_code::producer_fenced: return {error_code::invalid_producer_epoch, {}};
    case error_code::transaction_abortable:
        // Produce v11 clients know TRANSACTION_ABORTABLE; older ones abort on this one.
        if (produce_version > 10) return {e, {}};
        [[fallthrough]];
    case error_code::invalid_txn_state:
        return {error_code::invalid_txn_state, "Partition was not added to the transaction"};
    case error_code::concurrent_transactions:
    case error_code::network_exception:
    case error_code::coordinator_load_in_progress:
    case error_code::coordinator_not_available:
    case error_code::not_coordinator:
        return {error_code::not_enough_replicas,
                "Unable to verify the partition has been added to the transaction. Underlying error: " +
                    std::string(to_string(e))};
    default: return {e, {}};
    }
}

}  // namespace

txn_partition_errors verify_partitions_in_txn(const txn::txn_coordinator_shard& shard,
                                              const std::string& transactional_id,
                                              int64_t producer_id, int16_t producer_epoch,
                                              const std::set<txn::topic_partition>& partitions) {
    const txn::txn_metadata* m = shard.find(transactional_id);
    error_code e = error_code::none;
    if (m == nullptr || m->producer_id != producer_id) e = error_code::invalid_producer_id_mapping;
    else if (m->producer_epoch != producer_epoch) e = error_code::producer_fenced;
    else if (m->state == txn::txn_state::prepare_commit || m->state == txn::txn_state::prepare_abort)
        e = error_code::concurrent_transactions;
    txn_partition_errors out;
    for (const auto& tp : partitions) {
        if (e != error_code::none) out[tp] = e;
        else out[tp] = m->partitions.count(tp) ? error_code::none : error_code::transaction_abortable;
    }
    return out;
}

asio::awaitable<std::map<txn::topic_partition, produce_verification_error>> verify_produce(
    const request_context& ctx, const std::string& transactional_id, int64_t producer_id,
    int16_t producer_epoch, std::set<txn::topic_partition> partitions) {
    txn_partition_errors errors;
    if (transactional_id.empty()) {
        for (const auto& tp : partitions) errors[tp] = error_code::invalid_request;
    } else {
        auto op = [transactional_id, producer_id, producer_epoch, partitions](
                      txn::txn_coordinator_shard& shard, int64_t) {
            return verify_partitions_in_txn(shard, transactional_id, producer_id, producer_epoch,
                                            partitions);
        };
        auto call = on_txn_shard<txn_partition_errors>(ctx, transactional_id, std::move(op));
        txn::outcome<txn_partition_errors> r = co_await std::move(call);
        if (r.error != error_code::none) {
            for (const auto& tp : partitions) errors[tp] = r.error;
        } else {
            errors = std::move(r.response);
        }
    }
    std::map<txn::topic_partition, produce_verification_error> out;
    for (const auto& [tp, e] : errors) out[tp] = produce_error_of(e, ctx.api_version);
    co_return out;
}

}  // namespace eddy::broker
