// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Transactions through the log: transactional batches hold the first unstable offset until
// their marker, aborts land in the .txnindex beside their marker's segment, and both
// survive close, crash, damage, truncation and retention.
#include <doctest/doctest.h>

#include "batch_builder.h"
#include "log/errc.h"
#include "log_fixture.h"
#include "record/control_record.h"

namespace eddy::log {
namespace {

using test::log_fixture;

constexpr int64_t ts = 900'000;

// A client's batch, verified with the coordinator first when it opens a transaction
// (what the broker's Produce does, KIP-890).
result<append_result> txn_data(log_fixture& f, int64_t pid, int32_t seq, int count = 2,
                               int16_t epoch = 0, bool transactional = true) {
    auto bytes = record::test::producer_batch(pid, epoch, seq, count, ts, transactional);
    const uint64_t guard = transactional ? f.l->start_txn_verification(pid, f.now) : 0;
    return f.l->append(bytes, {.now_ms = f.now, .verification_guard = guard});
}

result<append_result> marker(log_fixture& f, int64_t pid, bool commit, int16_t epoch = 0,
                             int32_t coordinator_epoch = 0, bool from_coordinator = true) {
    auto bytes = record::encode_marker_batch({pid, epoch, coordinator_epoch, commit}, -1, ts);
    return f.l->append(bytes, {.now_ms = f.now, .from_coordinator = from_coordinator});
}

std::string txn_index_path(log_fixture& f, int64_t base) {
    return join_path(f.dir, segment_file_name(base, txn_index_suffix));
}

const std::vector<aborted_txn_entry>& index_of(log_fixture& f, int64_t base) {
    auto it = f.l->segments().find(base);
    REQUIRE(it != f.l->segments().end());
    return it->second->txns().entries();
}

std::vector<aborted_txn> all_aborted(log_fixture& f) {
    return f.l->aborted_transactions(f.l->earliest(), f.l->latest());
}

// Producer 1 aborts [0, 2] at 4 while producer 2's transaction from 2 stays open; then
// producer 3 aborts [5] at 6 with 2 still open. Segments start at 0 and 5.
void abort_two_around_an_open_one(log_fixture& f) {
    REQUIRE(txn_data(f, 1, 0));        // 0-1
    REQUIRE(txn_data(f, 2, 0));        // 2-3
    REQUIRE(marker(f, 1, false));      // 4
    REQUIRE_FALSE(f.l->roll(f.now));
    REQUIRE(txn_data(f, 3, 0, 1));     // 5
    REQUIRE(marker(f, 3, false));      // 6
    REQUIRE(f.l->latest() == 7);
}

void check_two_around_an_open_one(log_fixture& f) {
    CHECK(f.l->first_unstable_offset() == 2);
    CHECK(all_aborted(f) == std::vector<aborted_txn>{{1, 0}, {3, 5}});
    CHECK(index_of(f, 0) == std::vector<aborted_txn_entry>{{1, 0, 4, 2}});
    CHECK(index_of(f, 5) == std::vector<aborted_txn_entry>{{3, 5, 6, 2}});
    // Producer 2's transaction is open again: its marker ends it.
    auto end = marker(f, 2, true);
    REQUIRE(end);
    CHECK(f.l->first_unstable_offset() == f.l->latest());
}

}  // namespace

TEST_SUITE("log.txn") {
    TEST_CASE("transactional batches hold the first unstable offset until their markers") {
        log_fixture f;
        f.open_fresh();
        CHECK(f.l->first_unstable_offset() == 0);
        REQUIRE(txn_data(f, 1, 0));  // 0-1
        CHECK(f.l->first_unstable_offset() == 0);
        REQUIRE(txn_data(f, 2, 0));  // 2-3
        f.append({.records = 1});    // 4, no producer
        REQUIRE(txn_data(f, 1, 2));  // 5-6, same transaction
        CHECK(f.l->first_unstable_offset() == 0);
        auto commit = marker(f, 1, true);
        REQUIRE(commit);
        CHECK(commit->first_offset == 7);
        CHECK(f.l->first_unstable_offset() == 2);
        CHECK(f.l->producers().ongoing_txns().size() == 1);
        REQUIRE(marker(f, 2, false));  // 8
        CHECK(f.l->first_unstable_offset() == 9);
        CHECK(f.l->first_unstable_offset() == f.l->latest());
        CHECK(f.l->producers().ongoing_txns().empty());
        // Only the abort is indexed; with nothing else open its LSO is past the marker.
        CHECK(all_aborted(f) == std::vector<aborted_txn>{{2, 2}});
        const auto& file = f.file_bytes(0, txn_index_suffix);
        CHECK(record::test::to_hex(file) ==
              "0000"                  // version
              "0000000000000002"      // producer id
              "0000000000000002"      // first offset
              "0000000000000008"      // last offset (the marker)
              "0000000000000009");    // last stable offset
    }

    TEST_CASE("an abort records the first offset of the earliest other open transaction") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        check_two_around_an_open_one(f);
    }

    TEST_CASE("aborted_transactions answers the aborts overlapping a fetch range") {
        log_fixture f;
        f.open_fresh();
        // Producer 1's transaction spans three segments; its abort is in the third.
        REQUIRE(txn_data(f, 1, 0));        // 0-1
        REQUIRE(txn_data(f, 2, 0));        // 2-3, producer 2 interleaved
        REQUIRE_FALSE(f.l->roll(f.now));
        REQUIRE(txn_data(f, 1, 2));        // 4-5
        REQUIRE(txn_data(f, 3, 0));        // 6-7
        REQUIRE(marker(f, 2, true));       // 8: committed, never reported
        REQUIRE_FALSE(f.l->roll(f.now));
        REQUIRE(txn_data(f, 3, 2));        // 9-10
        REQUIRE(marker(f, 1, false));      // 11
        REQUIRE(marker(f, 3, false));      // 12
        REQUIRE(f.l->segment_count() == 3);
        CHECK(f.l->first_unstable_offset() == 13);

        using v = std::vector<aborted_txn>;
        CHECK(all_aborted(f) == v{{1, 0}, {3, 6}});
        // A fetch inside the first segment learns of the abort written two segments later.
        CHECK(f.l->aborted_transactions(0, 4) == v{{1, 0}});
        CHECK(f.l->aborted_transactions(2, 6) == v{{1, 0}});
        CHECK(f.l->aborted_transactions(5, 9) == v{{1, 0}, {3, 6}});
        CHECK(f.l->aborted_transactions(6, 7) == v{{1, 0}, {3, 6}});
        // After producer 1's marker only producer 3's abort is left.
        CHECK(f.l->aborted_transactions(12, 13) == v{{3, 6}});
        CHECK(f.l->aborted_transactions(13, 13).empty());
        CHECK(index_of(f, 0).empty());
        CHECK(index_of(f, 4).empty());
        CHECK(index_of(f, 9) == std::vector<aborted_txn_entry>{{1, 0, 11, 6}, {3, 6, 12, 13}});
    }

    TEST_CASE("markers with an older producer or coordinator epoch are refused") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0, 2, 5));
        auto zombie = marker(f, 1, true, 4, 0);
        REQUIRE_FALSE(zombie);
        CHECK(zombie.error() == errc::invalid_producer_epoch);
        CHECK(f.l->latest() == 2);
        CHECK(f.l->first_unstable_offset() == 0);

        REQUIRE(marker(f, 1, true, 5, 3));  // 2
        REQUIRE(txn_data(f, 1, 2, 2, 5));   // 3-4
        auto fenced = marker(f, 1, false, 5, 2);
        REQUIRE_FALSE(fenced);
        CHECK(fenced.error() == errc::coordinator_fenced);
        CHECK(f.l->latest() == 5);
        CHECK(f.l->first_unstable_offset() == 3);
        CHECK(all_aborted(f).empty());
        CHECK(f.l->producers().find(1)->coordinator_epoch == 3);
        // A newer coordinator (and a bumped epoch, as a fencing abort has) is accepted.
        REQUIRE(marker(f, 1, false, 6, 4));
        CHECK(f.l->first_unstable_offset() == f.l->latest());
        CHECK(f.l->producers().find(1)->epoch == 6);
        CHECK(all_aborted(f) == std::vector<aborted_txn>{{1, 3}});
    }

    TEST_CASE("a marker for a producer without an open transaction is written and ends nothing") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        auto m = marker(f, 9, false, 2, 7);
        REQUIRE(m);
        CHECK(m->first_offset == 2);
        CHECK(f.l->latest() == 3);
        CHECK(f.l->first_unstable_offset() == 3);
        CHECK(all_aborted(f).empty());
        CHECK(f.fs.contents(txn_index_path(f, 0))->empty());
        const producer_entry* e = f.l->producers().find(9);
        REQUIRE(e);
        CHECK(e->epoch == 2);
        CHECK(e->coordinator_epoch == 7);
        CHECK_FALSE(e->current_txn_first_offset);
    }

    TEST_CASE("only the coordinator may write markers") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));
        auto r = marker(f, 1, true, 0, 0, /*from_coordinator=*/false);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::invalid_batches);
        CHECK(f.l->latest() == 2);
        CHECK(f.l->first_unstable_offset() == 0);
        // A follower copies the leader's markers as they are.
        auto bytes = record::encode_marker_batch({1, 0, 0, false}, -1, ts);
        record::mutable_batch_view(bytes.data(), bytes.size()).set_base_offset(2);
        auto copied = f.l->append(bytes, {.now_ms = f.now, .assign_offsets = false});
        REQUIRE(copied);
        CHECK(f.l->first_unstable_offset() == 3);
        CHECK(all_aborted(f) == std::vector<aborted_txn>{{1, 0}});
    }

    TEST_CASE("a plain batch is refused inside a transaction and accepted after its marker") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));
        auto inside = txn_data(f, 1, 2, 2, 0, /*transactional=*/false);
        REQUIRE_FALSE(inside);
        CHECK(inside.error() == errc::invalid_txn_state);
        REQUIRE(marker(f, 1, true));
        auto after = txn_data(f, 1, 2, 2, 0, /*transactional=*/false);
        REQUIRE(after);
        CHECK(after->first_offset == 3);
        CHECK(f.l->first_unstable_offset() == 5);
    }

    TEST_CASE("a client's batch opens a transaction only with the producer's verification guard") {
        log_fixture f;
        f.open_fresh();
        // Producer 1's transactional batch of two records from `seq`, with `guard`.
        auto append = [&](int32_t seq, uint64_t guard) {
            auto bytes = record::test::producer_batch(1, 0, seq, 2, ts, true);
            return f.l->append(bytes, {.now_ms = f.now, .verification_guard = guard});
        };
        // Unverified: refused, whatever guard it brings.
        auto unverified = append(0, 0);
        REQUIRE_FALSE(unverified);
        CHECK(unverified.error() == errc::invalid_txn_state);
        const uint64_t guard = f.l->start_txn_verification(1, f.now);
        REQUIRE(guard != 0);
        CHECK(f.l->start_txn_verification(1, f.now) == guard);  // a retry keeps it
        CHECK_FALSE(append(0, guard + 1));
        CHECK(f.l->latest() == 0);
        // Verified: appended; the open transaction needs no guard from then on.
        REQUIRE(append(0, guard));
        CHECK(f.l->start_txn_verification(1, f.now) == 0);
        REQUIRE(append(2, 0));
        // The marker ends it: the next transaction is verified again, with a new guard.
        REQUIRE(marker(f, 1, true));
        CHECK_FALSE(append(4, 0));
        const uint64_t next = f.l->start_txn_verification(1, f.now);
        CHECK(next != 0);
        CHECK(next != guard);
        REQUIRE(append(4, next));
        CHECK(f.l->first_unstable_offset() == 5);
    }

    TEST_CASE("a marker written during a verification makes its guard stale") {
        // Kafka's ABA case: the coordinator confirmed the partition, then the transaction
        // ended before the batch arrived; appending it would open a transaction the
        // coordinator never hears of.
        log_fixture f;
        f.open_fresh();
        const uint64_t guard = f.l->start_txn_verification(1, f.now);
        REQUIRE(marker(f, 1, false));
        auto bytes = record::test::producer_batch(1, 0, 0, 2, ts, true);
        auto late = f.l->append(bytes, {.now_ms = f.now, .verification_guard = guard});
        REQUIRE_FALSE(late);
        CHECK(late.error() == errc::invalid_txn_state);
        CHECK(f.l->first_unstable_offset() == f.l->latest());
    }

    TEST_CASE("verification guards expire with producer.id.expiration.ms, and may be turned off") {
        auto bytes = record::test::producer_batch(1, 0, 0, 2, ts, true);
        log_fixture f;
        f.config.producer_id_expiration_ms = 1000;
        f.open_fresh();
        const uint64_t guard = f.l->start_txn_verification(1, f.now);
        f.l->remove_expired_producers(f.now + 1000);
        CHECK_FALSE(f.l->append(bytes, {.now_ms = f.now, .verification_guard = guard}));

        log_fixture off;
        off.config.transaction_verification = false;
        off.open_fresh();
        CHECK(off.l->start_txn_verification(1, off.now) == 0);
        CHECK(off.l->append(bytes, {.now_ms = off.now}));
    }

    TEST_CASE("the last stable offset waits for a marker to fall below the high watermark") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));    // 0-1
        f.append({.records = 1});      // 2
        CHECK(f.l->last_stable_offset(2) == 0);
        REQUIRE(marker(f, 1, true));   // 3
        // Ended, but the marker is not replicated: a new leader could still see it open.
        CHECK(f.l->last_stable_offset(3) == 0);
        CHECK(f.l->last_stable_offset(4) == 4);
        CHECK(f.l->last_stable_offset(3) == 3);  // forgotten once replicated
    }

    TEST_CASE("an open transaction's start below the log start offset does not hold the LSO there") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));  // 0-1, left open
        f.append({.records = 2});    // 2-3
        CHECK(f.l->last_stable_offset(4) == 0);
        REQUIRE(f.l->delete_records_before(3, f.l->latest(), f.now));
        CHECK(f.l->first_unstable_offset() == 3);
        CHECK(f.l->last_stable_offset(4) == 3);
        CHECK(f.l->producers().ongoing_txns().size() == 1);  // still open, as in Kafka
    }

    TEST_CASE("transactions survive a clean close and reopen") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        CHECK(f.l->last_recovery().segments_scanned == 0);
        check_two_around_an_open_one(f);
    }

    TEST_CASE("coordinator epochs survive a restart") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));
        REQUIRE(marker(f, 1, true, 0, 5));
        REQUIRE(txn_data(f, 1, 2));
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        auto fenced = marker(f, 1, false, 0, 4);
        REQUIRE_FALSE(fenced);
        CHECK(fenced.error() == errc::coordinator_fenced);
        CHECK(f.l->first_unstable_offset() == 3);
    }

    TEST_CASE("after a crash the state and the indexes are rebuilt from the log") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        const auto before = *f.fs.contents(txn_index_path(f, 5));
        // No close(): killed. Everything from offset 0 is rescanned.
        f.reopen_after_crash(0);
        CHECK(f.l->last_recovery().segments_scanned == 2);
        CHECK(*f.fs.contents(txn_index_path(f, 5)) == before);
        check_two_around_an_open_one(f);
    }

    TEST_CASE("after a power loss the unsynced aborts come back from the segment") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        REQUIRE_FALSE(f.l->flush(f.l->latest()));
        f.fs.power_loss(0);
        f.reopen_after_crash(5);
        check_two_around_an_open_one(f);
    }

    TEST_CASE("a damaged or missing .txnindex is rebuilt from its segment") {
        for (const bool missing : {false, true}) {
            CAPTURE(missing);
            log_fixture f;
            f.open_fresh();
            abort_two_around_an_open_one(f);
            REQUIRE_FALSE(f.l->roll(f.now));
            f.append({.records = 1});  // 7
            REQUIRE_FALSE(f.l->close());
            // Segment 5's abort needs producer 2's transaction, open since segment 0, to
            // get its last stable offset back.
            if (missing) {
                REQUIRE_FALSE(f.fs.remove(txn_index_path(f, 5)));
            } else {
                f.file_bytes(5, txn_index_suffix).push_back(0);
            }
            f.open_clean();
            CHECK(f.l->last_recovery().segments_scanned == 1);
            CHECK(f.fs.contents(txn_index_path(f, 5))->size() == txn_index::entry_size);
            check_two_around_an_open_one(f);
        }
    }

    TEST_CASE("an index entry of an unknown version is damage") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        REQUIRE_FALSE(f.l->close());
        f.file_bytes(0, txn_index_suffix)[1] = 1;
        f.open_clean();
        CHECK(f.l->last_recovery().segments_scanned == 1);
        CHECK(f.file_bytes(0, txn_index_suffix)[1] == 0);
        check_two_around_an_open_one(f);
    }

    TEST_CASE("truncation drops the aborts whose markers it cuts and reopens their transactions") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        REQUIRE_FALSE(f.l->truncate_to(6, f.now));
        CHECK(f.l->latest() == 6);
        CHECK(f.l->first_unstable_offset() == 2);
        CHECK(f.l->producers().ongoing_txns().size() == 2);
        CHECK(index_of(f, 5).empty());
        CHECK(f.fs.contents(txn_index_path(f, 5))->empty());
        CHECK(all_aborted(f) == std::vector<aborted_txn>{{1, 0}});

        REQUIRE_FALSE(f.l->truncate_to(4, f.now));
        CHECK(f.l->segment_count() == 1);
        CHECK_FALSE(f.fs.exists(txn_index_path(f, 5)));
        CHECK(index_of(f, 0).empty());
        CHECK(f.l->first_unstable_offset() == 0);
        CHECK(all_aborted(f).empty());
        // The truncated log takes the marker again.
        REQUIRE(marker(f, 1, false));
        CHECK(all_aborted(f) == std::vector<aborted_txn>{{1, 0}});
    }

    TEST_CASE("retention and DeleteRecords delete the .txnindex with its segment") {
        log_fixture f;
        f.open_fresh();
        abort_two_around_an_open_one(f);
        REQUIRE(marker(f, 2, false));  // 7
        REQUIRE_FALSE(f.l->roll(f.now));
        CHECK(f.fs.exists(txn_index_path(f, 0)));
        CHECK(f.fs.exists(txn_index_path(f, 8)));
        auto r = f.l->delete_records_before(5, f.l->latest(), f.now);
        REQUIRE(r);
        CHECK_FALSE(f.fs.exists(txn_index_path(f, 0)));
        CHECK(f.fs.exists(txn_index_path(f, 5)));
        CHECK(f.l->aborted_transactions(5, 8) == std::vector<aborted_txn>{{2, 2}, {3, 5}});
        auto all = f.l->apply_retention(f.now, 0, -1, f.l->latest());
        REQUIRE(all);
        CHECK_FALSE(f.fs.exists(txn_index_path(f, 5)));
        CHECK(f.fs.exists(txn_index_path(f, 8)));
        CHECK(all_aborted(f).empty());
    }

    TEST_CASE("a producer with an open transaction never expires") {
        log_fixture f;
        f.config.producer_id_expiration_ms = 1000;
        f.open_fresh();
        REQUIRE(txn_data(f, 1, 0));
        REQUIRE(txn_data(f, 2, 0, 2, 0, /*transactional=*/false));
        f.l->remove_expired_producers(f.now + 10'000'000);
        CHECK(f.l->producers().find(1) != nullptr);
        CHECK(f.l->producers().find(2) == nullptr);
        CHECK(f.l->first_unstable_offset() == 0);
    }
}

}  // namespace eddy::log
