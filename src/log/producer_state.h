// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The idempotent-producer state of one partition, as Kafka's ProducerStateManager keeps it:
// per producer id its epoch and the sequence ranges and offsets of its last five batches,
// so a retried batch is recognised (and answered with its original offsets) and a gap or a
// stale epoch is refused; and the transactions open in the partition, which transaction
// markers close. Sans I/O: the log feeds it batches and persists its snapshots
// (producer_snapshot.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "record/batch.h"
#include "record/control_record.h"

namespace eddy::log {

// Kafka's NUM_BATCHES_TO_RETAIN: how many batches per producer a retry is checked against
// (the client's max.in.flight.requests.per.connection may be at most five).
inline constexpr size_t producer_batches_retained = 5;

// One appended batch of a producer (Kafka's BatchMetadata).
struct producer_batch {
    int32_t last_seq = record::no_sequence;
    int64_t last_offset = -1;
    int32_t offset_delta = 0;  // last_offset - first offset = last_seq - first seq
    int64_t timestamp = record::no_timestamp;

    int32_t first_seq() const;
    int64_t first_offset() const { return last_offset - offset_delta; }
};

// What the partition knows of one producer id (Kafka's ProducerStateEntry).
class producer_entry {
public:
    int16_t epoch = record::no_producer_epoch;
    int32_t coordinator_epoch = -1;
    int64_t last_timestamp = record::no_timestamp;  // max timestamp of its last batch
    std::optional<int64_t> current_txn_first_offset;

    bool empty() const { return count_ == 0; }
    size_t size() const { return count_; }
    // Oldest first; i < size().
    const producer_batch& batch(size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
    const producer_batch& last() const { return batch(count_ - 1); }
    int32_t last_seq() const { return empty() ? record::no_sequence : last().last_seq; }
    int64_t last_offset() const { return empty() ? -1 : last().last_offset; }

    // A new epoch forgets the batches of the old one.
    void set_epoch(int16_t new_epoch);
    // Keeps the newest producer_batches_retained batches.
    void add_batch_metadata(const producer_batch& b);
    void add_batch(int16_t batch_epoch, const producer_batch& b);
    // The retained batch of this epoch with exactly this sequence range, if any.
    const producer_batch* find(int16_t batch_epoch, int32_t first_seq, int32_t last_seq) const;

private:
    std::array<producer_batch, producer_batches_retained> ring_{};
    size_t head_ = 0;
    size_t count_ = 0;
};

// Why an append was refused (Kafka's exceptions, named by the error the client gets).
enum class producer_error {
    none,
    out_of_order_sequence,   // OUT_OF_ORDER_SEQUENCE_NUMBER
    invalid_producer_epoch,  // INVALID_PRODUCER_EPOCH
    invalid_txn_state,       // INVALID_TXN_STATE
    coordinator_fenced,      // TRANSACTION_COORDINATOR_FENCED (a marker's old coordinator epoch)
};

// Who wrote an append, which decides what is checked (Kafka's AppendOrigin).
enum class append_origin {
    client,       // Produce: epoch, sequence and transaction state checked
    coordinator,  // a coordinator's own write (transaction markers): epochs checked
    replication,  // a follower copying the leader, or recovery replaying the log: no checks
};

// A transaction a marker ended in this partition (Kafka's CompletedTxn).
struct completed_txn {
    int64_t producer_id = -1;
    int64_t first_offset = 0;  // the transaction's first data offset here
    int64_t last_offset = 0;   // the marker's offset
    bool aborted = false;
    // Filled by producer_state::commit(): the first offset of the earliest other
    // transaction still open when this one ended, else last_offset + 1 (Kafka's
    // lastStableOffset(completedTxn), what the aborted-transaction index records).
    int64_t last_stable_offset = 0;
};

// The last sequence of a batch: base + lastOffsetDelta, wrapping past 2^31-1 to 0.
int32_t batch_last_sequence(int32_t base_sequence, int32_t last_offset_delta);

class producer_state;

// The producers' changes of one append (Kafka's ProducerAppendInfo, for every producer of
// the append): checked against the state plus the earlier batches of the same append, and
// applied by producer_state::commit() only once the bytes are in the log.
class producer_append {
public:
    producer_append(const producer_state& state, append_origin origin)
        : state_(state), origin_(origin) {}

    // A data batch whose records will get offsets [first_offset, first_offset +
    // lastOffsetDelta]. Batches without a producer id are ignored. A transactional batch
    // opens the producer's transaction here unless one is open.
    producer_error add(const record::batch_view& batch, int64_t first_offset);
    // A transaction marker of `batch` at `offset` (Kafka's appendEndTxnMarker): ends the
    // producer's open transaction, if any, and moves it to the marker's epochs. Refused,
    // unless replicated, when the producer or coordinator epoch is older than the last.
    producer_error add_marker(const record::batch_view& batch, const record::txn_marker& marker,
                              int64_t offset);

    // The transactions the markers added so far end, in marker order.
    const std::vector<completed_txn>& completed() const { return completed_; }

private:
    friend class producer_state;
    producer_entry& updated_entry(int64_t producer_id);

    const producer_state& state_;
    append_origin origin_;
    std::unordered_map<int64_t, producer_entry> updated_;
    std::vector<std::pair<int64_t, int64_t>> started_;  // {first offset, producer id}
    std::vector<completed_txn> completed_;
    // Producers with a transactional batch or marker here: their verification ends.
    std::vector<int64_t> transactional_;
};

// Lives on: the partition's executor.
class producer_state {
public:
    explicit producer_state(int64_t expiration_ms) : expiration_ms_(expiration_ms) {}

    const producer_entry* find(int64_t producer_id) const;
    size_t size() const { return producers_.size(); }

    // A client batch already in the log: a retry after a lost response. Its offsets and
    // timestamp are the answer Kafka gives (error NONE, the original base offset).
    const producer_batch* find_duplicate(const record::batch_view& batch) const;

    // Applies an append whose batches now end at end_offset (exclusive): the producers'
    // entries, the transactions it opened, then the ones its markers ended, in order.
    // Returns those, each with its last_stable_offset.
    std::vector<completed_txn> commit(producer_append&& append, int64_t end_offset);
    // A batch read back from the log (recovery, truncation): updates without checks. A
    // control batch must be whole (its marker is read from its record).
    std::vector<completed_txn> replay(const record::batch_view& batch);

    // Transactions open in the partition: first offset -> producer id (Kafka's ongoingTxns).
    const std::map<int64_t, int64_t>& ongoing_txns() const { return ongoing_; }
    // The first offset of the earliest open transaction (Kafka's firstUndecidedOffset).
    std::optional<int64_t> first_undecided_offset() const {
        if (ongoing_.empty()) return std::nullopt;
        return ongoing_.begin()->first;
    }

    bool has_ongoing_txn(int64_t producer_id) const {
        const producer_entry* e = find(producer_id);
        return e != nullptr && e->current_txn_first_offset.has_value();
    }

    // KIP-890 verification (Kafka's VerificationStateEntry): before a producer's first
    // transactional batch of a transaction is appended here, the partition asks the
    // transaction coordinator whether the partition is in the transaction. The guard made
    // when that starts must still be the producer's when the batch is appended: a marker
    // written meanwhile ends it, so a stale answer cannot open a transaction the
    // coordinator will never close. Guards are never 0. Not persisted (a restart makes the
    // producer verify again).
    uint64_t start_verification(int64_t producer_id, int64_t now_ms);
    // The producer's guard, 0 when it has none.
    uint64_t verification_guard(int64_t producer_id) const {
        auto it = verifying_.find(producer_id);
        return it == verifying_.end() ? 0 : it->second.guard;
    }

    // The offset up to which the state reflects the log (exclusive).
    int64_t map_end_offset() const { return map_end_offset_; }
    void set_map_end_offset(int64_t offset) { map_end_offset_ = offset; }

    // producer.id.expiration.ms: forgets producers without an open transaction whose last
    // batch timestamp is that old, and verifications started that long ago.
    void remove_expired(int64_t now_ms);
    void set_expiration_ms(int64_t ms) { expiration_ms_ = ms; }
    bool is_expired(const producer_entry& e, int64_t now_ms) const;
    void clear() {
        producers_.clear();
        ongoing_.clear();
        verifying_.clear();
    }

    // --- snapshots (producer_snapshot.h encodes them) ---
    const std::unordered_map<int64_t, producer_entry>& producers() const { return producers_; }
    // A producer read from a snapshot; its open transaction, if any, is open again.
    void restore(int64_t producer_id, producer_entry entry) {
        if (entry.current_txn_first_offset) ongoing_[*entry.current_txn_first_offset] = producer_id;
        producers_[producer_id] = std::move(entry);
    }

private:
    int64_t expiration_ms_;
    int64_t map_end_offset_ = 0;
    std::unordered_map<int64_t, producer_entry> producers_;
    std::map<int64_t, int64_t> ongoing_;
    struct verification {
        uint64_t guard = 0;
        int64_t started_ms = 0;
    };
    std::unordered_map<int64_t, verification> verifying_;
    uint64_t next_guard_ = 1;
};

}  // namespace eddy::log
