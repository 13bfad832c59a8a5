// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Log compaction: what a cleaning pass keeps, how it rewrites batches, and that a crash
// at any step of the segment swap leaves a whole segment.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../record/batch_builder.h"
#include "log/file_names.h"
#include "log_fixture.h"
#include "record/batch.h"
#include "record/control_record.h"

namespace eddy::log {
namespace {

using record::compression;
using record::test::build_batch;
using record::test::decoded_record;
using record::test::test_batch;
using record::test::test_record;
using test::log_fixture;

using kv = std::pair<std::string, std::optional<std::string>>;

constexpr int64_t clean_ts = 1'700'000'000'000;

// One batch of keyed records (nullopt value: a tombstone).
std::vector<uint8_t> keyed(const std::vector<kv>& records, compression codec = compression::none) {
    test_batch b;
    b.codec = codec;
    b.base_timestamp = clean_ts;
    for (size_t i = 0; i < records.size(); ++i)
        b.records.emplace_back(records[i].first, records[i].second, static_cast<int64_t>(i));
    return build_batch(b);
}

void append_batch(log_fixture& f, std::vector<uint8_t> bytes) {
    auto r = f.l->append(bytes, {.now_ms = f.now});
    REQUIRE_MESSAGE(r, r.error().message());
}

void roll(log_fixture& f) { REQUIRE_FALSE(f.l->roll(f.now)); }

std::vector<uint8_t> read_bytes(log_fixture& f, int64_t from) {
    auto r = f.l->read(from, 1 << 24, INT64_MAX, true);
    REQUIRE(r);
    return test::slice_bytes(*r);
}

// {offset, key, value} of every record from `from` on.
std::vector<std::tuple<int64_t, std::string, std::optional<std::string>>> records_of(log_fixture& f,
                                                                                   int64_t from = 0) {
    std::vector<std::tuple<int64_t, std::string, std::optional<std::string>>> out;
    for (const decoded_record& r : record::test::decode_records(read_bytes(f, from)))
        out.emplace_back(r.offset, r.key.value_or("<null>"), r.value);
    return out;
}

clean_result clean(log_fixture& f, double ratio = 0.0) {
    auto r = f.l->clean({.now_ms = f.now, .min_cleanable_ratio = ratio});
    REQUIRE_MESSAGE(r, r.error().message());
    return *r;
}

// The batches of segment `base`, whole, as stored.
std::vector<record::batch_view> stored_batches(log_fixture& f, int64_t base) {
    std::vector<uint8_t>& bytes = f.file_bytes(base, log_suffix);
    std::vector<record::batch_view> out;
    record::batch_scanner scanner(bytes.data(), bytes.size());
    record::batch_view v;
    while (scanner.next(v) == record::scan_status::ok) out.push_back(v);
    return out;
}

}  // namespace

TEST_SUITE("log.clean") {
    TEST_CASE("each key keeps its last record below the active segment, at its own offset") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, keyed({{"a", "a1"}, {"b", "b1"}}));  // 0-1
        append_batch(f, keyed({{"c", "c1"}}));                // 2
        roll(f);
        append_batch(f, keyed({{"a", "a2"}}));  // 3
        append_batch(f, keyed({{"b", "b2"}}));  // 4
        roll(f);
        append_batch(f, keyed({{"a", "a3"}}));  // 5: the active segment is never cleaned

        clean_result r = clean(f);
        CHECK(r.cleaned);
        CHECK(r.segments_rewritten == 1);  // segment 3 lost nothing and stays as it was
        CHECK(r.records_removed == 2);
        CHECK(r.first_dirty_offset == 5);
        using rec = std::tuple<int64_t, std::string, std::optional<std::string>>;
        CHECK(records_of(f) == std::vector<rec>{{2, "c", "c1"}, {3, "a", "a2"}, {4, "b", "b2"}, {5, "a", "a3"}});
        // A read from a removed offset starts at the next record kept.
        CHECK(std::get<0>(records_of(f, 1).front()) == 2);
        CHECK(f.l->segment_count() == 3);
        CHECK(f.l->earliest() == 0);
        CHECK(f.l->latest() == 6);

        // Nothing is dirty until the active segment rolls.
        CHECK_FALSE(clean(f).cleaned);
        roll(f);
        append_batch(f, keyed({{"c", "c2"}}));  // 6
        r = clean(f);
        CHECK(r.cleaned);
        CHECK(records_of(f) == std::vector<rec>{{2, "c", "c1"}, {4, "b", "b2"}, {5, "a", "a3"}, {6, "c", "c2"}});

        // Reopened after a clean stop, the cleaned segments read the same.
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        CHECK(records_of(f) == std::vector<rec>{{2, "c", "c1"}, {4, "b", "b2"}, {5, "a", "a3"}, {6, "c", "c2"}});
    }

    TEST_CASE("a partly kept batch is rebuilt in its own codec with the kept records") {
        for (compression codec : record::test::all_codecs) {
            CAPTURE(codec);
            log_fixture f;
            f.open_fresh();
            append_batch(f, keyed({{"a", "a1"}, {"b", "b1"}, {"a", "a2"}, {"c", std::nullopt}}, codec));  // 0-3
            roll(f);
            append_batch(f, keyed({{"z", "z"}}));
            REQUIRE(clean(f).cleaned);
            auto batches = stored_batches(f, 0);
            REQUIRE(batches.size() == 1);
            const record::batch_view& b = batches[0];
            CHECK(b.crc_ok());
            CHECK(b.compression_type() == codec);
            CHECK(b.base_offset() == 0);
            CHECK(b.last_offset() == 3);  // the last offset delta stays
            CHECK(b.records_count() == 3);
            CHECK(b.base_timestamp() == clean_ts);
            CHECK(b.max_timestamp() == clean_ts + 3);
            using rec = std::tuple<int64_t, std::string, std::optional<std::string>>;
            // The tombstone stays (delete.retention.ms is not acted on).
            CHECK(records_of(f) == std::vector<rec>{{1, "b", "b1"}, {2, "a", "a2"}, {3, "c", std::nullopt}, {4, "z", "z"}});
        }
    }

    TEST_CASE("records without a key go; a batch left without records goes") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, test::make_batch({.records = 2}));  // 0-1: null keys
        append_batch(f, keyed({{"a", "a1"}}));               // 2
        roll(f);
        append_batch(f, keyed({{"a", "a2"}}));  // 3
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        REQUIRE(clean(f).cleaned);
        CHECK(stored_batches(f, 0).empty());
        CHECK(f.file_bytes(0, log_suffix).empty());
        using rec = std::tuple<int64_t, std::string, std::optional<std::string>>;
        CHECK(records_of(f) == std::vector<rec>{{3, "a", "a2"}, {4, "z", "z"}});
        // The emptied first segment still starts the log.
        CHECK(f.l->earliest() == 0);
        CHECK(f.l->read(0, 1000, INT64_MAX, true));
    }

    TEST_CASE("min.cleanable.dirty.ratio: the dirty share of the log decides") {
        log_fixture f;
        f.open_fresh();
        for (int i = 0; i < 10; ++i) append_batch(f, keyed({{"k" + std::to_string(i), "v"}}));
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        // All dirty: a ratio of 1 is met.
        REQUIRE(clean(f, 1.0).cleaned);
        roll(f);
        append_batch(f, keyed({{"y", "y"}}));
        // Now the dirty segment (one batch) is a small share of the log.
        CHECK_FALSE(clean(f, 0.5).cleaned);
        CHECK(clean(f, 0.05).cleaned);
    }

    TEST_CASE("min.compaction.lag.ms keeps young segments dirty") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, keyed({{"a", "a1"}}));
        roll(f);
        append_batch(f, keyed({{"a", "a2"}}));
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        // Both closed segments hold records stamped `clean_ts`: too young for a lag reaching past it.
        auto young = f.l->clean({.now_ms = clean_ts + 10, .min_cleanable_ratio = 0, .min_compaction_lag_ms = 100});
        REQUIRE(young);
        CHECK_FALSE(young->cleaned);
        auto old = f.l->clean({.now_ms = clean_ts + 1000, .min_cleanable_ratio = 0, .min_compaction_lag_ms = 100});
        REQUIRE(old);
        CHECK(old->cleaned);
        CHECK(old->records_removed == 1);
    }

    TEST_CASE("a producer's last batch stays, emptied, so its state survives") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, record::test::producer_batch(7, 0, 0, 1, clean_ts));  // 0: "k" from producer 7
        roll(f);
        append_batch(f, keyed({{"k", "newer"}}));  // 1
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        REQUIRE(clean(f).cleaned);
        auto batches = stored_batches(f, 0);
        REQUIRE(batches.size() == 1);
        CHECK(batches[0].records_count() == 0);
        CHECK(batches[0].producer_id() == 7);
        CHECK(batches[0].last_offset() == 0);
        CHECK(batches[0].compression_type() == compression::none);
        CHECK(batches[0].crc_ok());
        // A retry of that batch is still known after a reopen that rebuilds the state.
        REQUIRE_FALSE(f.l->close());
        f.reopen_after_crash(0);
        auto retry = record::test::producer_batch(7, 0, 0, 1, clean_ts);
        auto r = f.l->append(retry, {.now_ms = f.now});
        REQUIRE(r);
        CHECK(r->duplicate);
        CHECK(r->first_offset == 0);
    }

    TEST_CASE("aborted data and markers stay, and aborted values never replace committed ones") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, keyed({{"k", "committed"}}));  // 0
        auto data = record::test::producer_batch(9, 0, 0, 1, clean_ts, true);  // 1: "k" -> "v"
        const uint64_t guard = f.l->start_txn_verification(9, f.now);
        REQUIRE(f.l->append(data, {.now_ms = f.now, .verification_guard = guard}));
        auto abort = record::encode_marker_batch({9, 0, 0, false}, -1, clean_ts);
        REQUIRE(f.l->append(abort, {.now_ms = f.now, .from_coordinator = true}));  // 2
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        const clean_result r = clean(f);
        CHECK(r.cleaned);
        CHECK(r.segments_rewritten == 0);
        CHECK(stored_batches(f, 0).size() == 3);
        CHECK(f.l->aborted_transactions(0, f.l->latest()) == std::vector<aborted_txn>{{9, 1}});
    }

    TEST_CASE("an open transaction stops the cleaner at its first offset") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, keyed({{"k", "1"}}));  // 0
        roll(f);
        auto data = record::test::producer_batch(9, 0, 0, 1, clean_ts, true);  // 1, left open
        const uint64_t guard = f.l->start_txn_verification(9, f.now);
        REQUIRE(f.l->append(data, {.now_ms = f.now, .verification_guard = guard}));
        append_batch(f, keyed({{"k", "2"}}));  // 2
        roll(f);
        append_batch(f, keyed({{"k", "3"}}));  // 3
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        const clean_result r = clean(f);
        // Only segment 0 lies below the open transaction; nothing later maps "k" yet.
        CHECK(r.cleaned);
        CHECK(r.first_dirty_offset == 1);
        CHECK(r.records_removed == 0);
        CHECK(records_of(f).size() == 5);
    }

    TEST_CASE("a record whose length is written longer than it needs is copied whole") {
        log_fixture f;
        f.open_fresh();
        test_batch two;
        two.base_timestamp = clean_ts;
        two.records.emplace_back("a", "x");
        two.records.emplace_back("b", "y");
        // Record 0's length, 8, as the two-byte varint 0x90 0x00 (Java's readers take it).
        const std::vector<uint8_t> records{0x90, 0x00, 0, 0, 0, 2, 'a', 2, 'x', 0,
                                           0x10, 0, 0, 2, 2, 'b', 2, 'y', 0};
        append_batch(f, record::test::with_payload(build_batch(two), records));  // 0-1
        roll(f);
        append_batch(f, keyed({{"a", "x2"}}));  // 2
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        REQUIRE(clean(f).cleaned);
        using rec = std::tuple<int64_t, std::string, std::optional<std::string>>;
        CHECK(records_of(f) == std::vector<rec>{{1, "b", "y"}, {2, "a", "x2"}, {3, "z", "z"}});
    }

    TEST_CASE("a damaged batch length in a closed segment fails the pass, it does not spin") {
        log_fixture f;
        f.open_fresh();
        append_batch(f, keyed({{"a", "1"}}));
        const size_t second = f.file_bytes(0, log_suffix).size();
        append_batch(f, keyed({{"a", "2"}}));
        append_batch(f, keyed({{"a", "3"}}));
        roll(f);
        append_batch(f, keyed({{"z", "z"}}));
        std::vector<uint8_t>& bytes = f.file_bytes(0, log_suffix);
        bytes[second + record::field::batch_length + 1] = 0x10;  // claims about a megabyte
        CHECK_FALSE(f.l->clean({.now_ms = f.now, .min_cleanable_ratio = 0}));
    }

    TEST_CASE("a crash during the swap leaves the old segment or the new one") {
        // The reference: what segment 0 looks like once cleaned.
        auto write = [](log_fixture& f) {
            f.open_fresh();
            append_batch(f, keyed({{"a", "a1"}, {"b", "b1"}}));
            roll(f);
            append_batch(f, keyed({{"a", "a2"}}));
            roll(f);
            append_batch(f, keyed({{"z", "z"}}));
        };
        log_fixture cleaned;
        write(cleaned);
        REQUIRE(clean(cleaned).cleaned);
        const std::vector<uint8_t> new_log = cleaned.file_bytes(0, log_suffix);
        const std::vector<uint8_t> new_index = cleaned.file_bytes(0, index_suffix);
        using rec = std::tuple<int64_t, std::string, std::optional<std::string>>;
        const std::vector<rec> after{{1, "b", "b1"}, {2, "a", "a2"}, {3, "z", "z"}};
        const std::vector<rec> before{{0, "a", "a1"}, {1, "b", "b1"}, {2, "a", "a2"}, {3, "z", "z"}};

        auto put = [](log_fixture& f, std::string_view suffix, const std::vector<uint8_t>& bytes) {
            auto file = f.fs.open(join_path(f.dir, segment_file_name(0, log_suffix).substr(0, 20) + std::string(suffix)), true);
            REQUIRE(file);
            REQUIRE_FALSE((*file)->append(bytes));
        };
        SUBCASE("replacement still being written: removed, the old segment stays") {
            log_fixture f;
            write(f);
            REQUIRE_FALSE(f.l->close());
            put(f, ".log.cleaned", new_log);
            put(f, ".index.cleaned", new_index);
            f.reopen_after_crash(0);
            CHECK(records_of(f) == before);
            CHECK_FALSE(f.fs.exists(join_path(f.dir, "00000000000000000000.log.cleaned")));
        }
        SUBCASE("indexes renamed .swap, the log not yet: undone") {
            log_fixture f;
            write(f);
            REQUIRE_FALSE(f.l->close());
            put(f, ".index.swap", new_index);
            f.reopen_after_crash(0);
            CHECK(records_of(f) == before);
            CHECK_FALSE(f.fs.exists(join_path(f.dir, "00000000000000000000.index.swap")));
        }
        SUBCASE("log renamed .swap (committed), an index already over the old one: finished") {
            log_fixture f;
            write(f);
            REQUIRE_FALSE(f.l->close());
            f.file_bytes(0, index_suffix) = new_index;
            put(f, ".log.swap", new_log);
            f.reopen_after_crash(0);
            CHECK(records_of(f) == after);
            CHECK_FALSE(f.fs.exists(join_path(f.dir, "00000000000000000000.log.swap")));
        }
    }
}

}  // namespace eddy::log
