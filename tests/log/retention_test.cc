// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <algorithm>

#include "common/wall_clock.h"

#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log {

using test::log_fixture;
using test::batch_spec;
using test::make_batch;
using test::read_all;

namespace {

// Twelve one-record batches, timestamps 1000, 2000, ..., in segments of three: bases 0,3,6,9.
void write_twelve(log_fixture& f) {
    f.config.segment_bytes = make_batch({}).size() * 3;
    f.open_fresh();
    for (int i = 0; i < 12; ++i) f.append({.base_timestamp = 1000 * (i + 1)});
    REQUIRE(f.l->segment_count() == 4);
}

}  // namespace

TEST_SUITE("log.retention") {
    TEST_CASE("time retention deletes whole segments whose newest record is too old") {
        log_fixture f;
        write_twelve(f);
        // Segment 0 ends at 3000, segment 3 at 6000: only segment 0 is older than 4000 ms.
        auto r = f.l->apply_retention(8000, 4500, -1, f.l->latest());
        REQUIRE(r);
        CHECK(r->segments_deleted == 1);
        CHECK(f.l->earliest() == 3);
        CHECK_FALSE(f.fs.exists("/data/topic-0/00000000000000000000.log"));
        CHECK(f.l->read(2, 1000, INT64_MAX, true).error() == errc::offset_out_of_range);
        CHECK(read_all(*f.l, 3).front().base_offset == 3);
    }

    TEST_CASE("size retention deletes the oldest segments while the log is too big") {
        log_fixture f;
        write_twelve(f);
        const uint64_t seg = make_batch({}).size() * 3;
        // Kafka deletes a segment only while the rest still holds retention.bytes.
        auto r = f.l->apply_retention(0, -1, static_cast<int64_t>(seg * 2 - 10), f.l->latest());
        REQUIRE(r);
        CHECK(r->segments_deleted == 2);
        CHECK(r->bytes_deleted == seg * 2);
        CHECK(f.l->earliest() == 6);
        CHECK(f.l->size_bytes() == seg * 2);
        auto again = f.l->apply_retention(0, -1, static_cast<int64_t>(seg * 2 - 10), f.l->latest());
        CHECK(again->segments_deleted == 0);
    }

    // Kafka's asyncDeleteSegment: renamed with the suffix .deleted, removed by the broker
    // after file.delete.delay.ms; a restart first removes what is left.
    TEST_CASE("deleted segments' files are renamed .deleted and handed over, then removed on open") {
        log_fixture f;
        write_twelve(f);
        auto r = f.l->delete_records_before(6, f.l->latest(), f.now);
        REQUIRE(r);
        CHECK(*r == 6);
        const std::string base = "/data/topic-0/";
        for (const char* name : {"00000000000000000000", "00000000000000000003"}) {
            CAPTURE(name);
            CHECK_FALSE(f.fs.exists(base + name + ".log"));
            CHECK(f.fs.exists(base + name + ".log.deleted"));
            CHECK(f.fs.exists(base + name + ".index.deleted"));
            CHECK(f.fs.exists(base + name + ".timeindex.deleted"));
        }
        std::vector<std::string> retired = f.l->take_retired_files();
        CHECK(std::count_if(retired.begin(), retired.end(),
                            [](const std::string& p) { return p.ends_with(".log.deleted"); }) == 2);
        for (const std::string& p : retired) CHECK(f.fs.exists(p));
        CHECK(f.l->take_retired_files().empty());  // handed over once
        f.open_clean();
        for (const std::string& p : retired) CHECK_FALSE(f.fs.exists(p));
        CHECK(f.l->earliest() == 6);
        CHECK(read_all(*f.l, 6).front().base_offset == 6);
    }

    TEST_CASE("a segment whose files cannot be renamed still leaves with the log start, reads stay in range") {
        // A disk turned read-only under retention: the error is returned, and the log start
        // follows the first segment left, so no read looks for a segment below it.
        for (int renames_before_failure : {0, 1, 3, 4}) {
            CAPTURE(renames_before_failure);
            log_fixture f;
            write_twelve(f);
            f.fs.fail_renames_after(renames_before_failure);
            const uint64_t seg = make_batch({}).size() * 3;
            auto r = f.l->apply_retention(0, -1, static_cast<int64_t>(seg * 2 - 10), f.l->latest());
            CHECK_FALSE(r);
            const int64_t first = f.l->earliest();
            CHECK((first == 3 || first == 6));
            for (int64_t offset = 0; offset < first; ++offset)
                CHECK(f.l->read(offset, 1000, INT64_MAX, true).error() == errc::offset_out_of_range);
            CHECK(read_all(*f.l, first).front().base_offset == first);
            f.fs.clear_faults();
            auto again = f.l->apply_retention(0, -1, static_cast<int64_t>(seg * 2 - 10), f.l->latest());
            REQUIRE(again);
            CHECK(f.l->earliest() == 6);
            CHECK(read_all(*f.l, 6).size() == 6);
        }
    }

    TEST_CASE("retention never deletes past the high watermark") {
        log_fixture f;
        write_twelve(f);
        auto r = f.l->apply_retention(1'000'000, 0, -1, 5);
        CHECK(r->segments_deleted == 1);
        CHECK(f.l->earliest() == 3);
    }

    TEST_CASE("when every segment expires the log keeps an empty active segment at its end") {
        log_fixture f;
        write_twelve(f);
        auto r = f.l->apply_retention(1'000'000, 0, -1, f.l->latest());
        CHECK(r->segments_deleted == 4);
        CHECK(f.l->segment_count() == 1);
        CHECK(f.l->earliest() == 12);
        CHECK(f.l->latest() == 12);
        CHECK(f.fs.exists("/data/topic-0/00000000000000000012.log"));
        CHECK(f.append({}).first_offset == 12);
    }

    TEST_CASE("a segment without timestamps ages from its file's last write, also after a restart") {
        log_fixture f;
        const batch_spec untimed{.base_timestamp = -1, .max_timestamp = -1};
        f.config.segment_bytes = make_batch(untimed).size() * 3;
        f.open_fresh();
        for (int i = 0; i < 6; ++i) f.append(untimed);
        REQUIRE(f.l->segment_count() == 2);
        const int64_t now = wall_clock_ms();
        // Kafka's LogSegment.largestTimestamp falls back to the file's lastModified.
        REQUIRE(f.fs.set_modified_ms("/data/topic-0/00000000000000000000.log", now - 5000));
        REQUIRE(f.fs.set_modified_ms("/data/topic-0/00000000000000000003.log", now - 1000));
        f.open_clean();  // a restart opens every segment anew
        auto r = f.l->apply_retention(now, 3000, -1, f.l->latest());
        REQUIRE(r);
        CHECK(r->segments_deleted == 1);
        CHECK(f.l->earliest() == 3);
    }

    TEST_CASE("delete records moves the log start and drops segments wholly before it") {
        log_fixture f;
        write_twelve(f);
        auto low = f.l->delete_records_before(7, f.l->latest(), f.now);
        REQUIRE(low);
        CHECK(*low == 7);
        CHECK(f.l->earliest() == 7);
        CHECK(f.l->segment_count() == 2);  // segment 6 still holds offsets 7 and 8
        CHECK(f.l->read(6, 1000, INT64_MAX, true).error() == errc::offset_out_of_range);
        // The first fetched batch may start before the log start, as in Kafka.
        CHECK(read_all(*f.l, 7).front().base_offset == 7);
        CHECK(f.l->delete_records_before(13, 12, f.now).error() == errc::offset_out_of_range);
        // The log start offset is what the broker checkpoints; it survives a reopen.
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        CHECK(f.l->earliest() == 7);
    }
}

}  // namespace eddy::log
