// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "txn/txn_coordinator_shard.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace eddy::txn {
namespace {

constexpr std::string_view consumer_offsets_topic = "__consumer_offsets";

// Every state change goes through here, so a move Kafka would refuse shows in debug builds.
void move_to(txn_metadata& m, txn_state to) {
    assert(valid_transition(m.state, to));
    m.state = to;
}

bool in_prepare(txn_state s) {
    return s == txn_state::prepare_commit || s == txn_state::prepare_abort;
}

bool subset_of(std::span<const topic_partition> parts, const std::set<topic_partition>& set) {
    return std::all_of(parts.begin(), parts.end(), [&](const auto& tp) { return set.contains(tp); });
}

// A move to Empty from InitProducerId: the epoch (and maybe the producer id) changes, the
// transaction's partitions and start time are cleared.
void reset_to_empty(txn_metadata& m, int64_t producer_id, int16_t epoch, int16_t last_epoch,
                    int32_t timeout_ms, int64_t now_ms) {
    m.last_producer_id = m.producer_id;
    m.producer_id = producer_id;
    m.producer_epoch = epoch;
    m.last_producer_epoch = last_epoch;
    m.timeout_ms = timeout_ms;
    move_to(m, txn_state::empty);
    m.partitions.clear();
    m.start_ms = -1;
    m.last_update_ms = now_ms;
}

}  // namespace

txn_coordinator_shard::txn_coordinator_shard(txn_config config, int32_t coordinator_epoch,
                                             producer_id_allocator allocate_producer_id)
    : config_(config),
      coordinator_epoch_(coordinator_epoch),
      allocate_(std::move(allocate_producer_id)) {}

bool txn_coordinator_shard::replay(std::span<const uint8_t> key,
                                   std::optional<std::span<const uint8_t>> value) {
    auto event = decode_txn_record(key, value);
    if (!event) return false;
    if (!event->value) {
        txns_.erase(event->transactional_id);
    } else {
        txns_[event->transactional_id] = std::move(*event->value);
    }
    return true;
}

void txn_coordinator_shard::loaded(int64_t now_ms) {
    // Kafka resends the markers of transactions it finds half-completed at load time.
    for (const auto& [id, m] : txns_)
        if (in_prepare(m.state)) queue_markers(m);
    next_abort_check_ = now_ms + config_.abort_timed_out_interval_ms;
    next_expiry_check_ = now_ms + config_.remove_expired_interval_ms;
}

std::vector<txn_record> txn_coordinator_shard::take_records() { return std::exchange(records_, {}); }

std::vector<txn_markers> txn_coordinator_shard::take_markers() { return std::exchange(markers_, {}); }

void txn_coordinator_shard::write(const txn_metadata& m) {
    records_.push_back(txn_metadata_record(m, config_.value_version));
}

void txn_coordinator_shard::queue_markers(const txn_metadata& m) {
    txn_markers out;
    out.transactional_id = m.transactional_id;
    out.producer_id = m.producer_id;
    out.producer_epoch = m.producer_epoch;
    out.coordinator_epoch = coordinator_epoch_;
    out.commit = m.state == txn_state::prepare_commit;
    out.partitions.assign(m.partitions.begin(), m.partitions.end());
    markers_.push_back(std::move(out));
}

const txn_metadata* txn_coordinator_shard::find(const std::string& transactional_id) const {
    auto it = txns_.find(transactional_id);
    return it == txns_.end() ? nullptr : &it->second;
}

init_producer_id_result txn_coordinator_shard::init_producer_id(
    const std::string& transactional_id, int32_t timeout_ms,
    std::optional<producer_id_and_epoch> expected, int64_t now_ms) {
    if (transactional_id.empty()) return {error_code::invalid_request};
    if (timeout_ms <= 0 || timeout_ms > config_.transaction_max_timeout_ms)
        return {error_code::invalid_transaction_timeout};

    auto it = txns_.find(transactional_id);
    if (it == txns_.end()) {
        // A new id: a fresh producer id with no epoch yet; the bump below makes it 0.
        txn_metadata created;
        created.transactional_id = transactional_id;
        created.producer_id = allocate_();
        created.timeout_ms = timeout_ms;
        created.last_update_ms = now_ms;
        it = txns_.emplace(transactional_id, std::move(created)).first;
    }
    txn_metadata& m = it->second;

    if (expected) {
        // A KIP-360 caller is fenced unless the metadata was just created, it names the
        // current producer id, or it names the previous one with an exhausted epoch (a retry
        // of a producer id rotation whose answer it lost).
        const bool valid = m.producer_epoch == no_producer_epoch ||
                           expected->producer_id == m.producer_id ||
                           (expected->producer_id == m.last_producer_id &&
                            epoch_exhausted(expected->producer_epoch));
        if (!valid) return {error_code::producer_fenced};
    }

    switch (m.state) {
        case txn_state::prepare_commit:
        case txn_state::prepare_abort:
            return {error_code::concurrent_transactions};
        case txn_state::ongoing:
            // Abort the running transaction under a bumped epoch and let the client retry;
            // the retry bumps again (or rotates the producer id if that exhausted it).
            fence_and_abort(m, now_ms);
            return {error_code::concurrent_transactions};
        case txn_state::dead:
        case txn_state::prepare_epoch_fence:
            // Never kept in the map here (see README); treated as Kafka treats a bad state.
            return {error_code::unknown_server_error};
        case txn_state::empty:
        case txn_state::complete_commit:
        case txn_state::complete_abort:
            break;
    }

    if (epoch_exhausted(m.producer_epoch) &&
        (!expected || expected->producer_epoch == m.producer_epoch)) {
        const int16_t last_epoch = expected ? m.producer_epoch : no_producer_epoch;
        reset_to_empty(m, allocate_(), 0, last_epoch, timeout_ms, now_ms);
    } else if (!expected) {
        reset_to_empty(m, m.producer_id, static_cast<int16_t>(m.producer_epoch + 1),
                       no_producer_epoch, timeout_ms, now_ms);
    } else if (m.producer_epoch == no_producer_epoch ||
               expected->producer_epoch == m.producer_epoch) {
        // The producer recovers after an error and nobody else initialized: bump, and
        // remember the epoch it had so a retry of this call is recognised. (An exhausted
        // epoch took the rotation branch above.)
        reset_to_empty(m, m.producer_id, static_cast<int16_t>(m.producer_epoch + 1),
                       m.producer_epoch, timeout_ms, now_ms);
    } else if (expected->producer_epoch == m.last_producer_epoch) {
        // A retry of a bump that succeeded: answer the current epoch again, without a bump.
        reset_to_empty(m, m.producer_id, m.producer_epoch, m.last_producer_epoch, timeout_ms,
                       now_ms);
    } else {
        return {error_code::producer_fenced};
    }
    write(m);
    return {error_code::none, m.producer_id, m.producer_epoch};
}

void txn_coordinator_shard::fence_and_abort(txn_metadata& m, int64_t now_ms) {
    // Kafka's PrepareEpochFence then PrepareAbort: only the PrepareAbort with the bumped
    // epoch reaches the log.
    const int16_t bumped = static_cast<int16_t>(m.producer_epoch + 1);
    m.producer_epoch = bumped;
    m.last_producer_epoch = no_producer_epoch;
    end(m, m.producer_id, bumped, false, false, now_ms);
}

error_code txn_coordinator_shard::add_partitions(const std::string& transactional_id,
                                                 int64_t producer_id, int16_t producer_epoch,
                                                 std::span<const topic_partition> partitions,
                                                 int64_t now_ms) {
    return add(transactional_id, producer_id, producer_epoch, partitions, now_ms);
}

error_code txn_coordinator_shard::add_offsets(const std::string& transactional_id,
                                              int64_t producer_id, int16_t producer_epoch,
                                              int32_t offsets_partition, int64_t now_ms) {
    const topic_partition tp{std::string(consumer_offsets_topic), offsets_partition};
    return add(transactional_id, producer_id, producer_epoch, std::span(&tp, 1), now_ms);
}

error_code txn_coordinator_shard::add(const std::string& transactional_id, int64_t producer_id,
                                      int16_t producer_epoch,
                                      std::span<const topic_partition> partitions,
                                      int64_t now_ms) {
    if (transactional_id.empty()) return error_code::invalid_request;
    auto it = txns_.find(transactional_id);
    if (it == txns_.end()) return error_code::invalid_producer_id_mapping;
    txn_metadata& m = it->second;
    if (m.producer_id != producer_id) return error_code::invalid_producer_id_mapping;
    if (m.producer_epoch != producer_epoch) return error_code::producer_fenced;
    if (in_prepare(m.state)) return error_code::concurrent_transactions;
    // Already part of the transaction: answered without a write.
    if (m.state == txn_state::ongoing && subset_of(partitions, m.partitions))
        return error_code::none;

    if (m.state != txn_state::ongoing) m.start_ms = now_ms;  // the transaction starts now
    move_to(m, txn_state::ongoing);
    m.partitions.insert(partitions.begin(), partitions.end());
    m.last_update_ms = now_ms;
    write(m);
    return error_code::none;
}

error_code txn_coordinator_shard::end_txn(const std::string& transactional_id,
                                          int64_t producer_id, int16_t producer_epoch,
                                          bool commit, int64_t now_ms) {
    if (transactional_id.empty()) return error_code::invalid_request;
    auto it = txns_.find(transactional_id);
    if (it == txns_.end()) return error_code::invalid_producer_id_mapping;
    return end(it->second, producer_id, producer_epoch, commit, true, now_ms);
}

error_code txn_coordinator_shard::end(txn_metadata& m, int64_t producer_id,
                                      int16_t producer_epoch, bool commit, bool from_client,
                                      int64_t now_ms) {
    if (m.producer_id != producer_id) return error_code::invalid_producer_id_mapping;
    // Clients must name the current epoch; the coordinator's own aborts carry a bumped one.
    if ((from_client && producer_epoch != m.producer_epoch) || producer_epoch < m.producer_epoch)
        return error_code::producer_fenced;
    switch (m.state) {
        case txn_state::ongoing:
            move_to(m, commit ? txn_state::prepare_commit : txn_state::prepare_abort);
            m.last_update_ms = now_ms;
            write(m);
            if (m.partitions.empty()) {
                // Nothing to mark: complete at once, as Kafka's marker manager does.
                move_to(m, commit ? txn_state::complete_commit : txn_state::complete_abort);
                write(m);
            } else {
                queue_markers(m);
            }
            return error_code::none;
        // A retry of an EndTxn that completed succeeds; one still completing is told to wait;
        // the opposite outcome is an invalid state.
        case txn_state::complete_commit:
            return commit ? error_code::none : error_code::invalid_txn_state;
        case txn_state::complete_abort:
            return commit ? error_code::invalid_txn_state : error_code::none;
        case txn_state::prepare_commit:
            return commit ? error_code::concurrent_transactions : error_code::invalid_txn_state;
        case txn_state::prepare_abort:
            return commit ? error_code::invalid_txn_state : error_code::concurrent_transactions;
        case txn_state::empty:
            return error_code::invalid_txn_state;
        case txn_state::dead:
        case txn_state::prepare_epoch_fence:
            break;
    }
    return error_code::unknown_server_error;
}

bool txn_coordinator_shard::markers_written(const txn_markers& markers, int64_t now_ms) {
    auto it = txns_.find(markers.transactional_id);
    if (it == txns_.end()) return false;
    txn_metadata& m = it->second;
    const txn_state expected = markers.commit ? txn_state::prepare_commit : txn_state::prepare_abort;
    if (m.producer_id != markers.producer_id || m.producer_epoch != markers.producer_epoch ||
        m.state != expected || markers.coordinator_epoch != coordinator_epoch_)
        return false;
    move_to(m, markers.commit ? txn_state::complete_commit : txn_state::complete_abort);
    m.partitions.clear();
    m.last_update_ms = now_ms;
    write(m);
    return true;
}

described_txn txn_coordinator_shard::describe(const std::string& transactional_id) const {
    described_txn out;
    out.transactional_id = transactional_id;
    if (transactional_id.empty()) {
        out.error = error_code::invalid_request;
        return out;
    }
    const txn_metadata* m = find(transactional_id);
    if (!m || m->state == txn_state::dead) {
        out.error = error_code::transactional_id_not_found;
        return out;
    }
    out.state = std::string(state_name(m->state));
    out.timeout_ms = m->timeout_ms;
    out.start_ms = m->start_ms;
    out.producer_id = m->producer_id;
    out.producer_epoch = m->producer_epoch;
    out.partitions.assign(m->partitions.begin(), m->partitions.end());
    return out;
}

list_txns_result txn_coordinator_shard::list(std::span<const std::string> state_filters,
                                             std::span<const int64_t> producer_id_filters,
                                             int64_t duration_filter_ms, int64_t now_ms) const {
    list_txns_result out;
    std::vector<txn_state> states;
    for (const auto& name : state_filters) {
        if (auto s = state_from_name(name)) states.push_back(*s);
        else out.unknown_state_filters.push_back(name);
    }
    // As Kafka: a filter of unknown names only matches nothing.
    for (const auto& [id, m] : txns_) {
        if (m.state == txn_state::dead) continue;
        if (!producer_id_filters.empty() &&
            std::find(producer_id_filters.begin(), producer_id_filters.end(), m.producer_id) ==
                producer_id_filters.end())
            continue;
        if (!state_filters.empty() && std::find(states.begin(), states.end(), m.state) == states.end())
            continue;
        if (duration_filter_ms >= 0 && now_ms - m.start_ms <= duration_filter_ms) continue;
        out.transactions.push_back({id, m.producer_id, std::string(state_name(m.state))});
    }
    return out;
}

std::optional<int64_t> txn_coordinator_shard::next_deadline() const {
    if (!next_abort_check_ || !next_expiry_check_) return std::nullopt;
    return std::min(*next_abort_check_, *next_expiry_check_);
}

void txn_coordinator_shard::on_timer(int64_t now_ms) {
    if (next_abort_check_ && now_ms >= *next_abort_check_) {
        abort_timed_out(now_ms);
        next_abort_check_ = now_ms + config_.abort_timed_out_interval_ms;
    }
    if (next_expiry_check_ && now_ms >= *next_expiry_check_) {
        expire_ids(now_ms);
        next_expiry_check_ = now_ms + config_.remove_expired_interval_ms;
    }
}

void txn_coordinator_shard::abort_timed_out(int64_t now_ms) {
    for (auto& [id, m] : txns_)
        if (m.state == txn_state::ongoing && m.start_ms + m.timeout_ms < now_ms)
            fence_and_abort(m, now_ms);
}

void txn_coordinator_shard::expire_ids(int64_t now_ms) {
    for (auto it = txns_.begin(); it != txns_.end();) {
        const txn_metadata& m = it->second;
        if (expiration_allowed(m.state) &&
            m.last_update_ms <= now_ms - config_.transactional_id_expiration_ms) {
            records_.push_back(txn_tombstone(m.transactional_id));
            it = txns_.erase(it);
        } else {
            ++it;
        }
    }
}

error_code client_error(int16_t api_key, int16_t version, error_code error) {
    if (error != error_code::producer_fenced) return error;
    int16_t first_with_fenced = 0;
    switch (api_key) {
        case 22: first_with_fenced = 4; break;  // InitProducerId
        case 24: first_with_fenced = 2; break;  // AddPartitionsToTxn
        case 25: first_with_fenced = 2; break;  // AddOffsetsToTxn
        case 26: first_with_fenced = 2; break;  // EndTxn
        case 28: first_with_fenced = 3; break;  // TxnOffsetCommit
        default: break;
    }
    return version < first_with_fenced ? error_code::invalid_producer_epoch : error;
}

}  // namespace eddy::txn
