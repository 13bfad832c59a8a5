// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A segment's aborted-transaction index, Kafka's TransactionIndex: `<base>.txnindex`, one
// entry per transaction aborted by a marker in that segment, in marker order. Kept whole
// in memory (a few entries per segment); the file is appended on each abort and fsynced
// with the segment. Format: src/log/txn_index_format.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "log/index_file.h"

namespace eddy::log {

// Kafka's AbortedTxn.
struct aborted_txn_entry {
    int64_t producer_id = -1;
    int64_t first_offset = 0;  // the transaction's first data offset in this partition
    int64_t last_offset = 0;   // its abort marker's offset
    // The LSO once the abort was written: the first offset of the earliest other
    // transaction still open then, else last_offset + 1 (Kafka's lastStableOffset).
    int64_t last_stable_offset = 0;
    bool operator==(const aborted_txn_entry&) const = default;
};

// Lives on: the partition's executor.
class txn_index {
public:
    static constexpr size_t entry_size = 34;
    static constexpr int16_t version = 0;

    // Opens (creating if missing) `path` for the segment at `base_offset`. corrupt() is
    // set, with no entries loaded, when the file is not whole version-0 entries with
    // increasing last offsets at or above the base (Kafka's sanityCheck).
    static result<txn_index> open(filesystem& fs, std::string path, int64_t base_offset);

    // Appends to memory and the file (page cache; durable after sync()). Entries must
    // come in increasing last_offset order.
    std::error_code append(const aborted_txn_entry& e);
    // Drops entries whose abort marker is at or after `offset`.
    std::error_code truncate_to(int64_t offset);
    std::error_code reset();
    std::error_code sync() { return file_.sync(); }

    // Kafka's collectAbortedTxns: adds to `out` the entries whose range meets
    // [from, upto) and returns true once an entry's last_stable_offset reaches `upto`
    // (no later segment can hold one that does).
    bool collect(int64_t from, int64_t upto, std::vector<aborted_txn_entry>& out) const;

    const std::vector<aborted_txn_entry>& entries() const { return entries_; }
    bool corrupt() const { return corrupt_; }
    const std::string& path() const { return file_.path(); }

private:
    explicit txn_index(index_file f) : file_(std::move(f)) {}

    index_file file_;
    std::vector<aborted_txn_entry> entries_;
    bool corrupt_ = false;
};

}  // namespace eddy::log
