// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Transactions in the log: the first unstable offset, the last stable offset and the
// aborted-transaction index, as Kafka's UnifiedLog keeps them.
#include <algorithm>

#include "common/logging.h"
#include "log/errc.h"
#include "log/log.h"

namespace eddy::log {
namespace {

// Ended transactions remembered for last_stable_offset() at most: a partition that never
// asks for it must not grow without bound (dropping the oldest only lets the LSO pass an
// ended transaction whose marker is not yet replicated).
constexpr size_t max_unreplicated_txns = 4096;

}  // namespace

// An open transaction's start may lie below the log start offset once DeleteRecords or
// retention moved it past: Kafka's maybeIncrementFirstUnstableOffset raises it to the
// log start, so that a read_committed reader is never pointed below the log.
int64_t log::first_unstable_offset() const {
    return std::max(producers_.first_undecided_offset().value_or(next_offset_), log_start_offset_);
}

int64_t log::last_stable_offset(int64_t high_watermark) {
    std::erase_if(unreplicated_txns_,
                  [high_watermark](const auto& kv) { return kv.second < high_watermark; });
    int64_t lso = std::min(high_watermark, first_unstable_offset());
    if (!unreplicated_txns_.empty())
        lso = std::min(lso, std::max(unreplicated_txns_.begin()->first, log_start_offset_));
    return lso;
}

std::vector<aborted_txn> log::aborted_transactions(int64_t from, int64_t upto) const {
    std::vector<aborted_txn_entry> found;
    // Entries sit with their marker's segment, so none before the one holding `from` can
    // reach it (Kafka's collectAbortedTransactions).
    auto it = segments_.upper_bound(from);
    if (it != segments_.begin()) --it;
    for (; it != segments_.end(); ++it) {
        if (it->second->txns().collect(from, upto, found)) break;
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.first_offset < b.first_offset;
    });
    std::vector<aborted_txn> out;
    out.reserve(found.size());
    for (const auto& e : found) out.push_back({e.producer_id, e.first_offset});
    return out;
}

std::error_code log::complete_txns(const std::vector<completed_txn>& completed) {
    for (const auto& txn : completed) {
        unreplicated_txns_[txn.first_offset] = txn.last_offset;
        if (unreplicated_txns_.size() > max_unreplicated_txns) {
            unreplicated_txns_.erase(unreplicated_txns_.begin());
        }
        if (!txn.aborted) continue;
        // The marker is in the active segment: appends roll before they write.
        if (auto ec = active().txns().append({txn.producer_id, txn.first_offset, txn.last_offset,
                                              txn.last_stable_offset})) {
            // The abort is known in memory but missing from the file. Without the file the
            // next open rescans the segment and rebuilds it; meanwhile nothing more is
            // appended.
            (void)fs_->remove(active().txns().path());
            failed_ = true;
            get_logger("storage")->error("log {}: writing the aborted-transaction index failed "
                                         "({}); refusing further appends", dir_, ec.message());
            return errc::log_failed;
        }
    }
    return {};
}

}  // namespace eddy::log
