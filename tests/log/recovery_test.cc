// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "common/wall_clock.h"
#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log {

using test::log_fixture;
using test::make_batch;
using test::read_all;

namespace {

// Ten 2-record batches (offsets 0..19) in segments of four batches: bases 0, 8, 16.
void write_ten(log_fixture& f) {
    f.config.segment_bytes = make_batch({.records = 2}).size() * 4;
    f.open_fresh();
    for (int i = 0; i < 10; ++i) f.append({.records = 2, .base_timestamp = 1000 + i});
    REQUIRE(f.l->segment_count() == 3);
}

}  // namespace

TEST_SUITE("log.recovery") {
    TEST_CASE("a clean reopen keeps everything without scanning") {
        log_fixture f;
        write_ten(f);
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        CHECK(f.l->latest() == 20);
        CHECK(f.l->last_recovery().segments_scanned == 0);
        CHECK(read_all(*f.l, 0).size() == 10);
    }

    TEST_CASE("after a kill the segments from the recovery point are validated and kept") {
        log_fixture f;
        write_ten(f);
        const int64_t rp = f.l->recovery_point();
        CHECK(rp == 16);
        f.reopen_after_crash(rp);
        CHECK(f.l->last_recovery().segments_scanned == 1);
        CHECK(f.l->last_recovery().bytes_truncated == 0);
        CHECK(f.l->latest() == 20);
        CHECK(f.l->recovery_point() == 20);
    }

    TEST_CASE("blocks the active segment reserved before a kill are released on reopen") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 70, .value_size = 1000});  // over 64 KiB: reserves ahead
        const std::string path = join_path(f.dir, segment_file_name(0, log_suffix));
        REQUIRE(f.fs.reserved_beyond_end(path) > 0);
        const int64_t a_day_ago = wall_clock_ms() - 86'400'000;
        REQUIRE(f.fs.set_modified_ms(path, a_day_ago));
        f.reopen_after_crash(f.l->recovery_point());
        CHECK(f.fs.reserved_beyond_end(path) == 0);
        CHECK(*(*f.fs.open(path, false))->modified_ms() == a_day_ago);  // no write happened
        CHECK(f.l->latest() == 70);

        f.append({.records = 70, .value_size = 1000});
        REQUIRE(f.fs.reserved_beyond_end(path) > 0);
        REQUIRE_FALSE(f.l->close());
        CHECK(f.fs.reserved_beyond_end(path) == 0);
    }

    TEST_CASE("a truncated tail is cut back to the last whole batch") {
        log_fixture f;
        write_ten(f);
        auto& tail = f.file_bytes(16, log_suffix);
        tail.resize(tail.size() - 7);
        f.reopen_after_crash(16);
        CHECK(f.l->latest() == 18);
        CHECK(f.l->last_recovery().bytes_truncated == make_batch({.records = 2}).size() - 7);
        CHECK(read_all(*f.l, 0).size() == 9);
        // The log accepts appends again right after the cut.
        CHECK(f.append({}).first_offset == 18);
        CHECK(read_all(*f.l, 16).size() == 2);
    }

    TEST_CASE("a corrupted batch in the middle truncates there and drops later segments") {
        log_fixture f;
        write_ten(f);
        const size_t batch = make_batch({.records = 2}).size();
        // Flip a record byte of the second batch of segment 8 (offsets 10-11).
        f.file_bytes(8, log_suffix)[batch + 70] ^= 0xff;
        f.reopen_after_crash(0);
        CHECK(f.l->latest() == 10);
        CHECK(f.l->segment_count() == 2);
        CHECK_FALSE(f.fs.exists("/data/topic-0/00000000000000000016.log"));
        CHECK(f.l->last_recovery().segments_deleted == 1);
        CHECK_FALSE(f.l->last_recovery().reason.empty());
        auto batches = read_all(*f.l, 0);
        CHECK(batches.size() == 5);
        CHECK(batches.back().last_offset == 9);
    }

    TEST_CASE("recovery does not look before the recovery point") {
        log_fixture f;
        write_ten(f);
        // Damage in a segment the checkpoint says was flushed is not looked for.
        f.file_bytes(0, log_suffix)[70] ^= 0xff;
        f.reopen_after_crash(16);
        CHECK(f.l->latest() == 20);
        CHECK(f.l->last_recovery().segments_scanned == 1);
    }

    TEST_CASE("a clean shutdown skips the scan, an unclean one finds the damage") {
        log_fixture f;
        write_ten(f);
        REQUIRE_FALSE(f.l->close());
        f.file_bytes(16, log_suffix)[70] ^= 0xff;
        f.open_clean();
        CHECK(f.l->latest() == 20);
        CHECK(f.l->last_recovery().segments_scanned == 0);
        f.reopen_after_crash(16);
        CHECK(f.l->latest() == 16);
    }

    TEST_CASE("a torn offset index is rebuilt even after a clean shutdown") {
        log_fixture f;
        write_ten(f);
        REQUIRE_FALSE(f.l->close());
        auto& index = f.file_bytes(0, index_suffix);
        REQUIRE(index.size() >= 8);
        const auto entries_before = index.size();
        index.resize(index.size() - 3);
        f.open_clean();
        CHECK(f.l->last_recovery().segments_scanned == 1);
        CHECK(f.file_bytes(0, index_suffix).size() == entries_before);
        CHECK(read_all(*f.l, 5).front().base_offset == 4);
    }

    TEST_CASE("a missing index is rebuilt") {
        log_fixture f;
        write_ten(f);
        REQUIRE_FALSE(f.l->close());
        REQUIRE_FALSE(f.fs.remove("/data/topic-0/00000000000000000008.timeindex"));
        REQUIRE_FALSE(f.fs.remove("/data/topic-0/00000000000000000008.index"));
        f.open_clean();
        CHECK(f.fs.exists("/data/topic-0/00000000000000000008.index"));
        CHECK(f.l->last_recovery().segments_scanned == 1);
        CHECK((**f.l->offset_for_timestamp(1005)).offset == 8);  // batch 4: offsets 8-9, max ts 1005
    }

    TEST_CASE("stray index and temporary files are removed on open") {
        log_fixture f;
        write_ten(f);
        REQUIRE_FALSE(f.l->close());
        REQUIRE(f.fs.open("/data/topic-0/00000000000000000099.index", true));
        REQUIRE(f.fs.open("/data/topic-0/leader-epoch-checkpoint.tmp", true));
        f.open_clean();
        CHECK_FALSE(f.fs.exists("/data/topic-0/00000000000000000099.index"));
        CHECK_FALSE(f.fs.exists("/data/topic-0/leader-epoch-checkpoint.tmp"));
    }

    TEST_CASE("power loss keeps at least every flushed batch and only valid ones") {
        for (uint64_t seed = 1; seed <= 30; ++seed) {
            CAPTURE(seed);
            log_fixture f;
            f.config.flush_messages = 6;  // fsync every three 2-record batches
            write_ten(f);
            const int64_t rp = f.l->recovery_point();
            f.fs.power_loss(seed);
            f.reopen_after_crash(rp);
            CHECK(f.l->latest() >= rp);
            auto batches = read_all(*f.l, 0);
            REQUIRE(static_cast<int64_t>(batches.size()) * 2 == f.l->latest());
            for (size_t i = 0; i < batches.size(); ++i) {
                CHECK(batches[i].crc_ok);
                CHECK(batches[i].base_offset == static_cast<int64_t>(i) * 2);
            }
        }
    }

    TEST_CASE("a failed write leaves the log as it was") {
        log_fixture f;
        f.open_fresh();
        f.append({});
        f.fs.fail_writes_after(10, true);
        auto bytes = make_batch({});
        auto r = f.l->append(bytes, {.now_ms = f.now});
        CHECK_FALSE(r);
        f.fs.clear_faults();
        CHECK(f.l->latest() == 1);
        CHECK(f.append({}).first_offset == 1);
        CHECK(read_all(*f.l, 0).size() == 2);
    }
}

}  // namespace eddy::log
