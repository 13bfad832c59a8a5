// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Random transactional appends, markers, rolls, truncations, restarts, crashes and damaged
// .txnindex files, checked after every step against the transactions recomputed from the
// batches still in the log.
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "batch_builder.h"
#include "log_fixture.h"
#include "record/control_record.h"

namespace eddy::log {
namespace {

using test::log_fixture;

constexpr int producers = 3;

// One batch of the log as the model sees it.
struct event {
    int64_t base;
    int64_t last;
    int64_t pid;      // -1: no producer
    int32_t seq_end;  // the producer's last sequence after this batch (data only)
    enum { data, commit, abort } kind;
};

struct expected {
    int64_t first_unstable;
    std::vector<aborted_txn_entry> aborted;  // in marker order
    std::map<int64_t, int32_t> next_seq;     // per producer
};

// What the log must answer, from its batches alone (Kafka's rules, written plainly).
expected recompute(const std::vector<event>& log, int64_t end) {
    expected out;
    std::map<int64_t, int64_t> open;  // pid -> first offset
    for (const auto& e : log) {
        if (e.kind == event::data) {
            if (e.pid >= 0) {
                open.try_emplace(e.pid, e.base);
                out.next_seq[e.pid] = e.seq_end + 1;
            }
            continue;
        }
        auto it = open.find(e.pid);
        if (it == open.end()) continue;
        if (e.kind == event::abort) {
            int64_t lso = e.last + 1;
            for (const auto& [pid, first] : open)
                if (pid != e.pid) lso = std::min(lso, first);
            out.aborted.push_back({e.pid, it->second, e.last, lso});
        }
        open.erase(it);
    }
    out.first_unstable = end;
    for (const auto& [pid, first] : open) out.first_unstable = std::min(out.first_unstable, first);
    return out;
}

class runner {
public:
    explicit runner(uint64_t seed) : rng_(seed) {
        f_.config.segment_bytes = 600;
        f_.open_fresh();
    }

    void step() {
        const int op = pick(0, 99);
        if (op < 40) {
            data(pick(-1, producers - 1));
        } else if (op < 60) {
            marker(pick(0, producers - 1), pick(0, 1) == 1);
        } else if (op < 68) {
            REQUIRE_FALSE(f_.l->roll(f_.now));
        } else if (op < 76) {
            truncate();
        } else if (op < 84) {
            REQUIRE_FALSE(f_.l->close());
            f_.open_clean();
        } else if (op < 92) {
            // Killed: the recovery point of the last checkpoint, or an older one.
            f_.reopen_after_crash(pick(0, 1) == 1 ? f_.l->recovery_point() : 0);
        } else {
            damage_an_index();
        }
        check();
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    void data(int pid) {
        const int count = pick(1, 3);
        const int32_t seq = pid >= 0 ? expected_.next_seq[pid] : -1;
        auto bytes = record::test::producer_batch(pid, pid >= 0 ? 0 : -1, seq, count, 900'000,
                                                  pid >= 0);
        // Verified with the coordinator first when it opens a transaction (KIP-890).
        const uint64_t guard = pid >= 0 ? f_.l->start_txn_verification(pid, f_.now) : 0;
        auto r = f_.l->append(bytes, {.now_ms = f_.now, .verification_guard = guard});
        REQUIRE_MESSAGE(r, r.error().message());
        log_.push_back({r->first_offset, r->last_offset, pid, seq + count - 1, event::data});
    }

    void marker(int pid, bool commit) {
        auto bytes = record::encode_marker_batch({pid, 0, 0, commit}, -1, 900'000);
        auto r = f_.l->append(bytes, {.now_ms = f_.now, .from_coordinator = true});
        REQUIRE_MESSAGE(r, r.error().message());
        log_.push_back({r->first_offset, r->last_offset, pid, 0,
                        commit ? event::commit : event::abort});
    }

    void truncate() {
        if (log_.empty()) return;
        const auto& cut = log_[static_cast<size_t>(pick(0, static_cast<int>(log_.size()) - 1))];
        REQUIRE_FALSE(f_.l->truncate_to(cut.base, f_.now));
        std::erase_if(log_, [&](const event& e) { return e.base >= cut.base; });
    }

    void damage_an_index() {
        REQUIRE_FALSE(f_.l->close());
        const auto& segs = f_.l->segments();
        auto it = std::next(segs.begin(), pick(0, static_cast<int>(segs.size()) - 1));
        const int64_t base = it->first;
        if (pick(0, 1) == 1) {
            REQUIRE_FALSE(f_.fs.remove(join_path(f_.dir, segment_file_name(base, txn_index_suffix))));
        } else {
            f_.file_bytes(base, txn_index_suffix).push_back(7);
        }
        f_.open_clean();
    }

    void check() {
        expected_ = recompute(log_, f_.l->latest());
        CHECK(f_.l->first_unstable_offset() == expected_.first_unstable);
        std::vector<aborted_txn_entry> indexed;
        for (const auto& [base, seg] : f_.l->segments()) {
            for (const auto& e : seg->txns().entries()) indexed.push_back(e);
        }
        CHECK(indexed == expected_.aborted);
        // A few fetch ranges: the plain overlap rule over every abort.
        for (int i = 0; i < 3; ++i) {
            const int64_t from = pick(0, static_cast<int>(f_.l->latest()));
            const int64_t upto = from + pick(0, 12);
            std::vector<aborted_txn_entry> want;
            for (const auto& e : expected_.aborted)
                if (e.last_offset >= from && e.first_offset < upto) want.push_back(e);
            std::stable_sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
                return a.first_offset < b.first_offset;
            });
            std::vector<aborted_txn> got = f_.l->aborted_transactions(from, upto);
            REQUIRE(got.size() == want.size());
            for (size_t j = 0; j < got.size(); ++j) {
                CHECK(got[j].producer_id == want[j].producer_id);
                CHECK(got[j].first_offset == want[j].first_offset);
            }
        }
    }

    std::mt19937_64 rng_;
    log_fixture f_;
    std::vector<event> log_;
    expected expected_;
};

}  // namespace

TEST_SUITE("log.txn") {
    TEST_CASE("random transactions match the model through truncation, restarts and damage") {
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(seed);
            runner r(seed);
            for (int i = 0; i < 300; ++i) r.step();
        }
    }
}

}  // namespace eddy::log
