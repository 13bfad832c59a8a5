// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sequence and epoch checks of idempotent producers, following Kafka's ProducerAppendInfo
// and ProducerStateEntry.
#include "log/producer_state.h"

#include <limits>

namespace eddy::log {
namespace {

constexpr int32_t max_seq = std::numeric_limits<int32_t>::max();

// Kafka's DefaultRecordBatch.decrementSequence.
int32_t decrement_sequence(int32_t seq, int32_t by) {
    if (seq < by) return max_seq - (by - seq) + 1;
    return seq - by;
}

// The next sequence after last_seq is next_seq; 2^31-1 is followed by 0.
bool in_sequence(int32_t last_seq, int32_t next_seq) {
    return int64_t{next_seq} == int64_t{last_seq} + 1 || (next_seq == 0 && last_seq == max_seq);
}

}  // namespace

int32_t batch_last_sequence(int32_t base_sequence, int32_t last_offset_delta) {
    if (base_sequence == record::no_sequence) return record::no_sequence;
    if (base_sequence > max_seq - last_offset_delta) {
        return last_offset_delta - (max_seq - base_sequence) - 1;
    }
    return base_sequence + last_offset_delta;
}

int32_t producer_batch::first_seq() const { return decrement_sequence(last_seq, offset_delta); }

void producer_entry::set_epoch(int16_t new_epoch) {
    if (epoch == new_epoch) return;
    epoch = new_epoch;
    head_ = count_ = 0;
}

void producer_entry::add_batch_metadata(const producer_batch& b) {
    if (count_ == ring_.size()) {
        ring_[head_] = b;
        head_ = (head_ + 1) % ring_.size();
        return;
    }
    ring_[(head_ + count_) % ring_.size()] = b;
    ++count_;
}

void producer_entry::add_batch(int16_t batch_epoch, const producer_batch& b) {
    set_epoch(batch_epoch);
    add_batch_metadata(b);
    last_timestamp = b.timestamp;
}

const producer_batch* producer_entry::find(int16_t batch_epoch, int32_t first_seq,
                                           int32_t last_seq) const {
    if (batch_epoch != epoch) return nullptr;
    for (size_t i = 0; i < count_; ++i) {
        const producer_batch& b = batch(i);
        if (b.first_seq() == first_seq && b.last_seq == last_seq) return &b;
    }
    return nullptr;
}

producer_entry& producer_append::updated_entry(int64_t producer_id) {
    auto it = updated_.find(producer_id);
    if (it != updated_.end()) return it->second;
    // Kafka's currentEntry.withProducerId: the scalars carry over, the batches start empty
    // and are added to the current ones on commit.
    producer_entry fresh;
    if (const producer_entry* current = state_.find(producer_id)) {
        fresh.epoch = current->epoch;
        fresh.coordinator_epoch = current->coordinator_epoch;
        fresh.last_timestamp = current->last_timestamp;
        fresh.current_txn_first_offset = current->current_txn_first_offset;
    }
    return updated_.emplace(producer_id, fresh).first->second;
}

producer_error producer_append::add(const record::batch_view& batch, int64_t first_offset) {
    const int64_t producer_id = batch.producer_id();
    if (producer_id < 0) return producer_error::none;
    const int16_t batch_epoch = batch.producer_epoch();
    const int32_t first_seq = batch.base_sequence();
    const producer_entry* current = state_.find(producer_id);
    producer_entry& updated = updated_entry(producer_id);

    // A smaller epoch than the partition has seen: a zombie (fenced) producer. Kafka checks
    // this for every origin but replication; sequences only for clients.
    if (origin_ != append_origin::replication && batch_epoch < updated.epoch) {
        return producer_error::invalid_producer_epoch;
    }
    if (origin_ == append_origin::client) {
        if (batch_epoch != updated.epoch) {
            // A new epoch starts at sequence 0, unless the partition never knew an epoch.
            if (first_seq != 0 && updated.epoch != record::no_producer_epoch) {
                return producer_error::out_of_order_sequence;
            }
        } else {
            int32_t last_seq = record::no_sequence;
            if (!updated.empty()) {
                last_seq = updated.last_seq();
            } else if (current && batch_epoch == current->epoch) {
                last_seq = current->last_seq();
            }
            // Without a known epoch (the producer's batches were removed by retention or
            // DeleteRecords) any sequence is accepted, as Kafka does.
            const bool epoch_known = current && current->epoch != record::no_producer_epoch;
            if (epoch_known && !in_sequence(last_seq, first_seq)) {
                return producer_error::out_of_order_sequence;
            }
        }
    }

    producer_batch b;
    b.last_seq = batch_last_sequence(first_seq, batch.last_offset_delta());
    b.offset_delta = batch.last_offset_delta();
    b.last_offset = first_offset + batch.last_offset_delta();
    b.timestamp = batch.max_timestamp();
    updated.add_batch(batch_epoch, b);

    if (updated.current_txn_first_offset && !batch.is_transactional()) {
        // A plain batch while the producer has a transaction open.
        return producer_error::invalid_txn_state;
    }
    if (!updated.current_txn_first_offset && batch.is_transactional()) {
        updated.current_txn_first_offset = first_offset;
        started_.emplace_back(first_offset, producer_id);
    }
    if (batch.is_transactional()) transactional_.push_back(producer_id);
    return producer_error::none;
}

producer_error producer_append::add_marker(const record::batch_view& batch,
                                           const record::txn_marker& marker, int64_t offset) {
    const int64_t producer_id = batch.producer_id();
    if (producer_id < 0) return producer_error::none;
    producer_entry& updated = updated_entry(producer_id);
    if (origin_ != append_origin::replication) {
        if (marker.producer_epoch < updated.epoch) return producer_error::invalid_producer_epoch;
        if (updated.coordinator_epoch > marker.coordinator_epoch) {
            return producer_error::coordinator_fenced;
        }
    }
    // A marker without data before it (an empty transaction) changes neither the LSO nor
    // the aborted-transaction index, so it completes nothing (as Kafka 3.x).
    if (updated.current_txn_first_offset) {
        completed_.push_back({producer_id, *updated.current_txn_first_offset, offset,
                              !marker.commit});
    }
    // Kafka's ProducerStateEntry.update(epoch, coordinatorEpoch, timestamp).
    updated.set_epoch(marker.producer_epoch);
    updated.coordinator_epoch = marker.coordinator_epoch;
    updated.last_timestamp = batch.max_timestamp();
    updated.current_txn_first_offset.reset();
    transactional_.push_back(producer_id);
    return producer_error::none;
}

const producer_entry* producer_state::find(int64_t producer_id) const {
    auto it = producers_.find(producer_id);
    return it == producers_.end() ? nullptr : &it->second;
}

const producer_batch* producer_state::find_duplicate(const record::batch_view& batch) const {
    if (!batch.has_producer_id()) return nullptr;
    const producer_entry* entry = find(batch.producer_id());
    if (!entry) return nullptr;
    return entry->find(batch.producer_epoch(), batch.base_sequence(),
                       batch_last_sequence(batch.base_sequence(), batch.last_offset_delta()));
}

std::vector<completed_txn> producer_state::commit(producer_append&& append, int64_t end_offset) {
    for (auto& [producer_id, next] : append.updated_) {
        producer_entry& entry = producers_[producer_id];
        // Kafka's ProducerStateEntry.update: epoch first (a new one drops old batches),
        // then the scalars, then the new batches.
        entry.set_epoch(next.epoch);
        entry.coordinator_epoch = next.coordinator_epoch;
        entry.last_timestamp = next.last_timestamp;
        for (size_t i = 0; i < next.size(); ++i) entry.add_batch_metadata(next.batch(i));
        entry.current_txn_first_offset = next.current_txn_first_offset;
    }
    append.updated_.clear();
    // Either the transaction is open here now or a marker ended it: the verification, if
    // any, is over (Kafka clears it for every transactional batch appended).
    for (int64_t producer_id : append.transactional_) verifying_.erase(producer_id);
    for (const auto& [first_offset, producer_id] : append.started_) {
        ongoing_[first_offset] = producer_id;
    }
    // Each ended transaction's LSO is taken before it leaves the open ones, and with the
    // ones ended before it gone (Kafka's lastStableOffset, then completeTxn).
    std::vector<completed_txn> completed = std::move(append.completed_);
    for (auto& txn : completed) {
        txn.last_stable_offset = txn.last_offset + 1;
        for (const auto& [first_offset, producer_id] : ongoing_) {
            if (producer_id != txn.producer_id) {
                txn.last_stable_offset = first_offset;
                break;
            }
        }
        ongoing_.erase(txn.first_offset);
    }
    if (end_offset > map_end_offset_) map_end_offset_ = end_offset;
    return completed;
}

std::vector<completed_txn> producer_state::replay(const record::batch_view& batch) {
    producer_append append(*this, append_origin::replication);
    if (!batch.is_control()) {
        append.add(batch, batch.base_offset());
    } else if (auto marker = record::read_marker(batch)) {
        append.add_marker(batch, *marker, batch.base_offset());
    }
    // Other control batches (none Kafka writes today) are skipped, as Kafka's loader does.
    return commit(std::move(append), batch.last_offset() + 1);
}

bool producer_state::is_expired(const producer_entry& e, int64_t now_ms) const {
    return !e.current_txn_first_offset && now_ms - e.last_timestamp >= expiration_ms_;
}

void producer_state::remove_expired(int64_t now_ms) {
    std::erase_if(producers_, [&](const auto& kv) { return is_expired(kv.second, now_ms); });
    std::erase_if(verifying_, [&](const auto& kv) { return now_ms - kv.second.started_ms >= expiration_ms_; });
}

uint64_t producer_state::start_verification(int64_t producer_id, int64_t now_ms) {
    // An entry already there is reused, as Kafka's computeIfAbsent does: a retry of the
    // first batch keeps the guard its first attempt started.
    auto [it, added] = verifying_.try_emplace(producer_id);
    if (added) it->second = {next_guard_++, now_ms};
    return it->second.guard;
}

}  // namespace eddy::log
