// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Random operation sequences against a simple model of the log (Redpanda's opfuzz idea),
// on the fault-injecting filesystem.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log {
namespace {

using test::batch_info;
using test::log_fixture;
using test::make_batch;

struct model_batch {
    int64_t base;
    int64_t last;
    int64_t max_timestamp;
};

struct model {
    std::vector<model_batch> batches;  // every batch still in the log, in order
    int64_t start = 0;
    int64_t next = 0;

    // Index of the batch holding `offset` (or the first after it).
    size_t containing(int64_t offset) const {
        size_t i = 0;
        while (i < batches.size() && batches[i].last < offset) ++i;
        return i;
    }
};

class runner {
public:
    explicit runner(uint64_t seed) : rng_(seed) {
        f_.config.segment_bytes = 1000;
        f_.config.index_interval_bytes = 150;
        f_.open_fresh();
    }

    void step() {
        const int op = pick(0, 99);
        if (std::getenv("EDDY_MODEL_TRACE")) {
            std::fprintf(stderr, "op %d next=%lld rp=%lld segs=%zu\n", op, (long long)m_.next,
                         (long long)f_.l->recovery_point(), f_.l->segment_count());
        }
        if (op < 45) return append();
        if (op < 70) return read();
        if (op < 74) return roll();
        if (op < 78) return reopen_clean();
        if (op < 82) return kill();
        if (op < 85) return power_loss();
        if (op < 89) return failed_append();
        if (op < 93) return delete_records();
        if (op < 96) return truncate();
        if (op < 98) return retention();
        check_time_lookup();
    }

    void check_all() {
        CHECK(f_.l->earliest() == m_.start);
        CHECK(f_.l->latest() == m_.next);
        if (m_.start < m_.next) {
            auto got = test::read_all(*f_.l, m_.start);
            const size_t first = m_.containing(m_.start);
            REQUIRE(got.size() == m_.batches.size() - first);
            for (size_t i = 0; i < got.size(); ++i) {
                CHECK(got[i].base_offset == m_.batches[first + i].base);
                CHECK(got[i].last_offset == m_.batches[first + i].last);
                CHECK(got[i].crc_ok);
            }
        }
    }

private:
    int64_t pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }

    void append() {
        const int records = static_cast<int>(pick(1, 5));
        const int64_t ts = pick(1000, 9000);
        auto r = f_.append({.records = records, .base_timestamp = ts,
                            .value_size = static_cast<size_t>(pick(0, 120))});
        CHECK(r.first_offset == m_.next);
        m_.batches.push_back({m_.next, m_.next + records - 1, ts + records - 1});
        m_.next += records;
    }

    void read() {
        const int64_t offset = pick(m_.start, m_.next);
        const auto max_bytes = static_cast<uint32_t>(pick(0, 2000));
        const bool min_one = pick(0, 1) == 1;
        const int64_t hw = pick(offset, m_.next + 1);
        auto r = f_.l->read(offset, max_bytes, hw, min_one);
        REQUIRE(r);
        CHECK(r->bytes <= std::max<uint64_t>(max_bytes, min_one ? 1000 : 0));
        auto got = test::parse_batches(test::slice_bytes(*r));
        size_t i = m_.containing(offset);
        if (min_one && offset < std::min(hw, m_.next) && m_.batches[i].last < hw) {
            CHECK_FALSE(got.empty());
        }
        if (r->bytes > 0) CHECK_FALSE(got.empty());  // never a part of a batch alone
        for (const auto& b : got) {
            REQUIRE(i < m_.batches.size());
            CHECK(b.base_offset == m_.batches[i].base);
            CHECK(b.last_offset < hw);
            ++i;
        }
        CHECK(f_.l->read(m_.next + 1, 100, INT64_MAX, true).error() == errc::offset_out_of_range);
    }

    void roll() { REQUIRE_FALSE(f_.l->roll(f_.now)); }

    void reopen_clean() {
        REQUIRE_FALSE(f_.l->close());
        f_.open_clean();
    }

    // kill -9: the page cache survives, so nothing acknowledged is lost.
    void kill() {
        const int64_t rp = f_.l->recovery_point();
        f_.open({.recovery_point = rp, .log_start_offset = m_.start, .now_ms = f_.now});
    }

    // Power loss: only fsynced data is certain to survive; what survives must be a
    // valid prefix of what was written.
    void power_loss() {
        const int64_t rp = f_.l->recovery_point();
        f_.fs.power_loss(static_cast<uint64_t>(pick(0, 1000)));
        f_.open({.recovery_point = rp, .log_start_offset = m_.start, .now_ms = f_.now});
        CHECK(f_.l->latest() >= rp);
        while (!m_.batches.empty() && m_.batches.back().last >= f_.l->latest()) m_.batches.pop_back();
        m_.next = f_.l->latest();
        if (m_.start > m_.next) m_.start = m_.next;
        REQUIRE(f_.l->earliest() == m_.start);
    }

    void failed_append() {
        f_.fs.fail_writes_after(static_cast<uint64_t>(pick(0, 80)), pick(0, 1) == 1);
        auto bytes = make_batch({.records = 2});
        auto r = f_.l->append(bytes, {.now_ms = f_.now});
        f_.fs.clear_faults();
        if (r) {
            m_.batches.push_back({r->first_offset, r->last_offset, 1001});
            m_.next = r->last_offset + 1;
        }
    }

    void delete_records() {
        const int64_t to = pick(m_.start, m_.next);
        auto low = f_.l->delete_records_before(to, m_.next, f_.now);
        REQUIRE(low);
        m_.start = std::max(m_.start, to);
        CHECK(*low == m_.start);
        const size_t first = m_.containing(m_.start);
        // Batches wholly before the log start may linger until their segment goes.
        (void)first;
    }

    void truncate() {
        // Only to a batch boundary after the log start, as a follower would.
        std::vector<size_t> candidates;
        for (size_t i = 1; i < m_.batches.size(); ++i) {
            if (m_.batches[i].base > m_.start) candidates.push_back(i);
        }
        if (candidates.empty()) return;
        const size_t i = candidates[static_cast<size_t>(pick(0, static_cast<int64_t>(candidates.size()) - 1))];
        REQUIRE_FALSE(f_.l->truncate_to(m_.batches[i].base, f_.now));
        m_.next = m_.batches[i].base;
        m_.batches.resize(i);
    }

    // Retention removes whole segments from the front; the model follows the log start.
    void retention() {
        const auto before = f_.l->size_bytes();
        auto r = f_.l->apply_retention(f_.now, -1, pick(0, static_cast<int64_t>(before)), m_.next);
        REQUIRE(r);
        CHECK(f_.l->size_bytes() == before - r->bytes_deleted);
        CHECK(f_.l->earliest() >= m_.start);
        CHECK(f_.l->earliest() <= m_.next);
        m_.start = f_.l->earliest();
        while (!m_.batches.empty() && m_.batches.front().last < f_.l->segments().begin()->first) {
            m_.batches.erase(m_.batches.begin());
        }
    }

    void check_time_lookup() {
        const int64_t ts = pick(900, 9200);
        auto got = f_.l->offset_for_timestamp(ts);
        REQUIRE(got);
        std::optional<int64_t> want;
        for (const auto& b : m_.batches) {
            if (b.last >= m_.start && b.max_timestamp >= ts) {
                want = std::max(b.base, m_.start);
                break;
            }
        }
        CHECK(want.has_value() == got->has_value());
        if (want && *got) CHECK((*got)->offset == *want);
    }

    log_fixture f_;
    model m_;
    std::mt19937_64 rng_;
};

}  // namespace

TEST_SUITE("log.model") {
    TEST_CASE("random operation sequences keep the log equal to the model") {
        // EDDY_MODEL_SEED=n replays (or explores) one seed; EDDY_MODEL_TRACE=1 prints ops.
        const char* only = std::getenv("EDDY_MODEL_SEED");
        const uint64_t first = only ? std::strtoull(only, nullptr, 10) : 1;
        const uint64_t last = only ? first : 25;
        for (uint64_t seed = first; seed <= last; ++seed) {
            CAPTURE(seed);
            runner r(seed);
            for (int i = 0; i < 150; ++i) {
                r.step();
                if (i % 25 == 0) r.check_all();
            }
            r.check_all();
        }
    }
}

}  // namespace eddy::log
