// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "log_batches.h"
#include "common/wall_clock.h"
#include "log/memory_filesystem.h"
#include "log/segment.h"

namespace eddy::log {
namespace {

using test::batch_spec;
using test::make_batch;

struct segment_fixture {
    memory_filesystem fs;
    segment_options opts{.index_interval_bytes = 100, .max_index_bytes = 1024};
    std::unique_ptr<segment> seg;

    segment_fixture() {
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto s = segment::create(fs, "/p", 100, opts, 0);
        REQUIRE(s);
        seg = std::move(*s);
    }
    // Appends `n` single-record batches at consecutive offsets with rising timestamps.
    void fill(int n, int64_t first_ts = 1000) {
        for (int i = 0; i < n; ++i) {
            auto b = make_batch({.records = 1, .base_timestamp = first_ts + i * 10,
                                 .base_offset = seg->next_offset()});
            REQUIRE_FALSE(seg->append(b));
        }
    }
};

}  // namespace

TEST_SUITE("log.segment") {
    TEST_CASE("appended batches are found by any offset they contain") {
        segment_fixture f;
        auto b = make_batch({.records = 5, .base_offset = 100});
        REQUIRE_FALSE(f.seg->append(b));
        f.fill(3);
        CHECK(f.seg->next_offset() == 108);
        auto loc = f.seg->find_batch(103);
        REQUIRE(loc);
        REQUIRE(*loc);
        CHECK((*loc)->base_offset == 100);
        CHECK((*loc)->last_offset == 104);
        CHECK((*loc)->position == 0);
        auto next = f.seg->find_batch(105);
        CHECK((*next)->position == b.size());
        CHECK_FALSE(*f.seg->find_batch(108));
    }

    TEST_CASE("the offset index gets an entry per index.interval.bytes of batches") {
        segment_fixture f;
        REQUIRE(make_batch({}).size() == 78);
        f.fill(20);
        // An entry goes in when more than 100 bytes were written since the last one: with
        // 78-byte batches, at the 3rd, 5th, ... 19th batch.
        CHECK(f.seg->offsets().size() == 9);
        CHECK(f.seg->offsets().lookup(102).position == 2 * 78);
        for (int64_t o = 100; o < 120; ++o) {
            auto loc = f.seg->find_batch(o);
            REQUIRE(*loc);
            CHECK((*loc)->base_offset == o);
        }
    }

    TEST_CASE("time lookup finds the first batch reaching the timestamp") {
        segment_fixture f;
        f.fill(20);  // timestamps 1000, 1010, ... 1190
        auto at = f.seg->find_by_timestamp(1055, 0);
        REQUIRE(*at);
        CHECK((*at)->base_offset == 106);
        CHECK((*at)->max_timestamp == 1060);
        CHECK((*f.seg->find_by_timestamp(0, 0))->base_offset == 100);
        CHECK((*f.seg->find_by_timestamp(1010, 110))->base_offset == 110);
        CHECK_FALSE(*f.seg->find_by_timestamp(1191, 0));
        CHECK(f.seg->max_timestamp() == 1190);
        CHECK(f.seg->offset_of_max_timestamp() == 119);
    }

    TEST_CASE("truncation removes the batch holding the offset and all after it") {
        segment_fixture f;
        auto b = make_batch({.records = 5, .base_offset = 100});
        REQUIRE_FALSE(f.seg->append(b));
        f.fill(10);
        auto removed = f.seg->truncate_to(102);
        REQUIRE(removed);
        CHECK(f.seg->size() == 0);
        CHECK(f.seg->next_offset() == 100);
        f.fill(10);
        REQUIRE(f.seg->truncate_to(105));
        CHECK(f.seg->next_offset() == 105);
        CHECK(f.seg->max_timestamp() == 1040);
    }

    TEST_CASE("a segment rolls on size, age, a full index or an unrepresentable offset") {
        segment_fixture f;
        f.fill(1);
        const uint64_t size = f.seg->size();
        roll_params p{.segment_bytes = size + 100, .segment_ms = 1000, .now_ms = 0,
                      .append_bytes = 100, .append_max_timestamp = 1500,
                      .append_last_offset = 101};
        CHECK_FALSE(f.seg->should_roll(p));
        p.append_bytes = 101;
        CHECK(f.seg->should_roll(p));
        p.append_bytes = 10;
        p.append_max_timestamp = 2001;  // first batch at 1000: waited 1001 > segment.ms
        CHECK(f.seg->should_roll(p));
        p.append_max_timestamp = 1500;
        p.append_last_offset = 100 + int64_t{INT32_MAX} + 1;
        CHECK(f.seg->should_roll(p));
    }

    TEST_CASE("a large append reserves disk blocks ahead; roll and truncation release them") {
        segment_fixture f;
        const std::string path = "/p/00000000000000000100.log";
        f.fill(3);
        CHECK(f.fs.reserved_beyond_end(path) == 0);  // small appends reserve nothing

        // 70 records of 1,000 bytes: over 64 KiB, the size of a busy producer's batch.
        auto big = make_batch({.records = 70, .value_size = 1000, .base_offset = 103});
        REQUIRE(big.size() >= 64 * 1024);
        REQUIRE_FALSE(f.seg->append(big));
        const uint64_t ahead = f.fs.reserved_beyond_end(path);
        CHECK(ahead == 8 << 20);
        CHECK(f.fs.contents(path)->size() == f.seg->size());
        // The next one lands in the reserved blocks and reserves no more.
        REQUIRE_FALSE(f.seg->append(make_batch({.records = 70, .value_size = 1000, .base_offset = 173})));
        CHECK(f.fs.reserved_beyond_end(path) == ahead - big.size());

        REQUIRE(f.seg->truncate_to(173));
        CHECK(f.fs.reserved_beyond_end(path) == 0);
        REQUIRE_FALSE(f.seg->append(make_batch({.records = 70, .value_size = 1000, .base_offset = 173})));
        CHECK(f.fs.reserved_beyond_end(path) == ahead);

        const uint64_t size = f.seg->size();
        // Its last write was a day ago: the release is no write, a segment without
        // timestamps keeps ageing from then.
        REQUIRE(f.fs.set_modified_ms(path, wall_clock_ms() - 86'400'000));
        const int64_t written = f.seg->last_modified_ms();
        REQUIRE_FALSE(f.seg->on_become_inactive());
        CHECK(f.fs.reserved_beyond_end(path) == 0);
        CHECK(f.seg->last_modified_ms() == written);
        CHECK(f.seg->size() == size);
        CHECK(f.fs.contents(path)->size() == size);
        CHECK((*f.seg->find_batch(242))->last_offset == 242);
    }

    TEST_CASE("blocks reserved ahead stop at segment.bytes") {
        segment_fixture f;
        f.opts.max_bytes = 200 * 1024;
        f.seg.reset();
        auto s = segment::create(f.fs, "/p", 400, f.opts, 0);
        REQUIRE(s);
        f.seg = std::move(*s);
        const std::string path = "/p/00000000000000000400.log";
        REQUIRE_FALSE(f.seg->append(make_batch({.records = 70, .value_size = 1000, .base_offset = 400})));
        CHECK(f.fs.reserved_beyond_end(path) == 200 * 1024 - f.seg->size());
        // An append past segment.bytes (a single batch larger than it) reserves nothing more.
        REQUIRE_FALSE(f.seg->append(make_batch({.records = 140, .value_size = 1000, .base_offset = 470})));
        CHECK(f.fs.reserved_beyond_end(path) == 0);
    }

    TEST_CASE("a preallocated segment reserves its blocks when created and gives back the rest") {
        segment_fixture f;
        f.opts.preallocate_bytes = 1 << 20;
        f.seg.reset();
        auto s = segment::create(f.fs, "/p", 300, f.opts, 0);
        REQUIRE(s);
        f.seg = std::move(*s);
        const std::string path = "/p/00000000000000000300.log";
        CHECK(f.fs.reserved_beyond_end(path) == 1 << 20);
        f.fill(3);
        CHECK(f.fs.reserved_beyond_end(path) == (1 << 20) - f.seg->size());
        REQUIRE_FALSE(f.seg->on_become_inactive());
        CHECK(f.fs.reserved_beyond_end(path) == 0);
        CHECK(f.fs.contents(path)->size() == f.seg->size());
    }

    // Kafka's LogSegment.shouldRoll: timeWaitedForRoll > segment.ms - rollJitterMs.
    TEST_CASE("a segment's roll jitter brings its roll on age forward by that much") {
        segment_fixture f;
        f.opts.roll_jitter_ms = 300;
        f.seg.reset();
        auto s = segment::create(f.fs, "/p", 200, f.opts, 0);
        REQUIRE(s);
        f.seg = std::move(*s);
        f.fill(1);  // first batch at 1000
        CHECK(f.seg->roll_jitter_ms() == 300);
        roll_params p{.segment_bytes = 1 << 20, .segment_ms = 1000, .now_ms = 0,
                      .append_bytes = 10, .append_max_timestamp = 1700, .append_last_offset = 201};
        CHECK_FALSE(f.seg->should_roll(p));  // waited 700, not more than 1000 - 300
        p.append_max_timestamp = 1701;
        CHECK(f.seg->should_roll(p));
    }
}

}  // namespace eddy::log
