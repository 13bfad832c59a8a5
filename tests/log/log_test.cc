// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <algorithm>

#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log {

using test::batch_spec;
using test::log_fixture;
using test::make_batch;
using test::read_all;

TEST_SUITE("log.append_read") {
    TEST_CASE("a new log starts empty at offset zero with one segment file") {
        log_fixture f;
        f.open_fresh();
        CHECK(f.l->earliest() == 0);
        CHECK(f.l->latest() == 0);
        CHECK(f.fs.exists("/data/topic-0/00000000000000000000.log"));
        CHECK(f.fs.exists("/data/topic-0/00000000000000000000.index"));
        CHECK(f.fs.exists("/data/topic-0/00000000000000000000.timeindex"));
        auto r = f.l->read(0, 1000, INT64_MAX, true);
        REQUIRE(r);
        CHECK(r->slices.empty());
    }

    TEST_CASE("appends get consecutive offsets written into the stored batches") {
        log_fixture f;
        f.open_fresh();
        auto a = f.append({.records = 3, .base_offset = 777});
        auto b = f.append({.records = 2});
        CHECK(a.first_offset == 0);
        CHECK(a.last_offset == 2);
        CHECK(b.first_offset == 3);
        CHECK(b.last_offset == 4);
        CHECK(f.l->latest() == 5);
        auto batches = read_all(*f.l, 0);
        REQUIRE(batches.size() == 2);
        CHECK(batches[0].base_offset == 0);
        CHECK(batches[1].base_offset == 3);
        CHECK(batches[1].last_offset == 4);
        // The base offset lies outside the CRC: the stored batches still verify.
        CHECK(batches[0].crc_ok);
        CHECK(batches[1].crc_ok);
    }

    TEST_CASE("several batches appended at once are all stored") {
        log_fixture f;
        f.open_fresh();
        auto bytes = make_batch({.records = 2});
        auto second = make_batch({.records = 4});
        bytes.insert(bytes.end(), second.begin(), second.end());
        auto r = f.l->append(bytes, {.now_ms = f.now});
        REQUIRE(r);
        CHECK(r->first_offset == 0);
        CHECK(r->last_offset == 5);
        auto batches = read_all(*f.l, 0);
        REQUIRE(batches.size() == 2);
        CHECK(batches[1].base_offset == 2);
    }

    TEST_CASE("leader appends stamp the leader epoch and log append time") {
        log_fixture f;
        f.open_fresh();
        auto r = f.append({.records = 2, .base_timestamp = 5},
                          {.now_ms = 99999, .leader_epoch = 7, .log_append_time = true});
        CHECK(r.log_append_time == 99999);
        auto batches = read_all(*f.l, 0);
        CHECK(batches[0].leader_epoch == 7);
        CHECK(batches[0].max_timestamp == 99999);
        CHECK(batches[0].crc_ok);
        CHECK(f.l->epochs().entries() == std::vector<epoch_entry>{{7, 0}});
    }

    TEST_CASE("malformed or oversized appends are refused and change nothing") {
        log_fixture f;
        f.config.segment_bytes = 500;
        f.open_fresh();
        auto big = make_batch({.records = 1, .value_size = 600});
        CHECK(f.l->append(big, {}).error() == errc::record_list_too_large);
        CHECK(f.l->max_append_bytes() == 500);
        auto torn = make_batch({});
        torn.pop_back();
        CHECK(f.l->append(torn, {}).error() == errc::invalid_batches);
        std::vector<uint8_t> empty;
        CHECK(f.l->append(empty, {}).error() == errc::invalid_batches);
        CHECK(f.l->latest() == 0);
    }

    TEST_CASE("a read starts at the batch containing the requested offset") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 5});
        f.append({.records = 5});
        auto batches = read_all(*f.l, 7);
        REQUIRE(batches.size() == 1);
        CHECK(batches[0].base_offset == 5);
        auto from3 = read_all(*f.l, 3);
        CHECK(from3.size() == 2);
    }

    TEST_CASE("reads outside the log are out of range; reading at the end is empty") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 5});
        CHECK(f.l->read(6, 100, INT64_MAX, false).error() == errc::offset_out_of_range);
        CHECK(f.l->read(-1, 100, INT64_MAX, false).error() == errc::offset_out_of_range);
        auto at_end = f.l->read(5, 100, INT64_MAX, false);
        REQUIRE(at_end);
        CHECK(at_end->bytes == 0);
    }

    TEST_CASE("max_bytes limits a read and min_one_batch still returns a whole first batch") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 1, .value_size = 300});
        f.append({.records = 1, .value_size = 300});
        const uint32_t batch = static_cast<uint32_t>(make_batch({.value_size = 300}).size());
        // No room for the first batch whole: nothing, as Kafka's Fetch v3+ answers.
        auto small = f.l->read(0, 10, INT64_MAX, false);
        CHECK(small->bytes == 0);
        CHECK(small->slices.empty());
        // Room for one batch and part of the next: the part comes after the whole one.
        auto cut = f.l->read(0, batch + 5, INT64_MAX, false);
        CHECK(cut->bytes == batch + 5);
        CHECK(test::parse_batches(test::slice_bytes(*cut)).size() == 1);
        auto none = f.l->read(0, 0, INT64_MAX, false);
        CHECK(none->bytes == 0);
        auto one = f.l->read(0, 10, INT64_MAX, true);
        CHECK(one->bytes == batch);
        CHECK(test::parse_batches(test::slice_bytes(*one)).size() == 1);
        auto both = f.l->read(0, batch + 5, INT64_MAX, true);
        CHECK(both->bytes == batch + 5);
    }

    TEST_CASE("reads stop before the high watermark") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        f.append({.records = 2});
        f.append({.records = 2});
        auto r = f.l->read(0, 100000, 4, true);
        auto batches = test::parse_batches(test::slice_bytes(*r));
        REQUIRE(batches.size() == 2);
        CHECK(batches.back().last_offset == 3);
        CHECK(f.l->read(4, 100000, 4, true)->bytes == 0);
    }

    TEST_CASE("reads continue across segments and return file slices of each") {
        log_fixture f;
        f.open_fresh();
        for (int i = 0; i < 3; ++i) {
            f.append({.records = 2});
            REQUIRE_FALSE(f.l->roll(f.now));
        }
        CHECK(f.l->segment_count() == 4);
        auto r = f.l->read(1, 100000, INT64_MAX, false);
        CHECK(r->slices.size() == 3);
        CHECK(r->slices[0].log_file != r->slices[1].log_file);
        auto batches = test::parse_batches(test::slice_bytes(*r));
        REQUIRE(batches.size() == 3);
        CHECK(batches[2].base_offset == 4);
    }
}

TEST_SUITE("log.roll") {
    TEST_CASE("segments roll at segment.bytes and are named by their base offset") {
        log_fixture f;
        const auto batch = make_batch({}).size();
        f.config.segment_bytes = batch * 3;
        f.open_fresh();
        for (int i = 0; i < 7; ++i) f.append({});
        CHECK(f.l->segment_count() == 3);
        CHECK(f.fs.exists("/data/topic-0/00000000000000000003.log"));
        CHECK(f.fs.exists("/data/topic-0/00000000000000000006.log"));
        CHECK(read_all(*f.l, 0).size() == 7);
        // A rolled segment is flushed: the recovery point moves to the new segment.
        CHECK(f.l->recovery_point() == 6);
    }

    TEST_CASE("segments roll when segment.ms passes between first and new timestamps") {
        log_fixture f;
        f.config.segment_ms = 1000;
        f.open_fresh();
        f.append({.base_timestamp = 10'000});
        f.append({.base_timestamp = 10'900});
        CHECK(f.l->segment_count() == 1);
        f.append({.base_timestamp = 11'001});
        CHECK(f.l->segment_count() == 2);
    }

    // Kafka's randomSegmentJitter: each segment draws a jitter below
    // min(segment.jitter.ms, segment.ms) and rolls on age that much earlier.
    TEST_CASE("segment.jitter.ms makes segments roll on age up to that much earlier") {
        log_fixture f;
        f.config.segment_ms = 1000;
        f.config.segment_jitter_ms = 1'000'000;  // capped at segment.ms
        f.open_fresh();
        int64_t t = 10'000;
        f.append({.base_timestamp = t});
        std::vector<int64_t> waited_at_roll;
        for (int rolls = 0; rolls < 20; ++rolls) {
            const size_t before = f.l->segment_count();
            const int64_t first = t;
            do {
                t += 1;
                f.append({.base_timestamp = t});
            } while (f.l->segment_count() == before);
            waited_at_roll.push_back(t - first);
        }
        for (int64_t w : waited_at_roll) {
            CHECK(w >= 1);
            CHECK(w <= 1001);  // never later than without jitter
        }
        // Twenty draws of 0 in a row (no jitter at all) have a chance of 1e-60.
        CHECK(std::any_of(waited_at_roll.begin(), waited_at_roll.end(), [](int64_t w) { return w <= 1000; }));
    }

    TEST_CASE("segments roll when their index is full") {
        log_fixture f;
        f.config.segment_index_bytes = 24;  // two time index entries, three offset entries
        f.config.index_interval_bytes = 1;
        f.open_fresh();
        for (int i = 0; i < 10; ++i) f.append({.base_timestamp = 1000 + i});
        CHECK(f.l->segment_count() > 1);
        CHECK(read_all(*f.l, 0).size() == 10);
    }

    TEST_CASE("rolling an empty active segment does nothing") {
        log_fixture f;
        f.open_fresh();
        REQUIRE_FALSE(f.l->roll(f.now));
        CHECK(f.l->segment_count() == 1);
    }
}

TEST_SUITE("log.flush") {
    TEST_CASE("flush.messages and flush.ms move the recovery point; by default only rolls do") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 5});
        CHECK(f.l->recovery_point() == 0);
        REQUIRE_FALSE(f.l->maybe_flush(f.now + 1000));
        CHECK(f.l->recovery_point() == 0);

        log_fixture g;
        g.config.flush_messages = 4;
        g.open_fresh();
        g.append({.records = 3});
        CHECK(g.l->recovery_point() == 0);
        g.append({.records = 1});
        CHECK(g.l->recovery_point() == 4);

        log_fixture h;
        h.config.flush_ms = 500;
        h.open_fresh();
        h.append({.records = 2});
        REQUIRE_FALSE(h.l->maybe_flush(h.now + 499));
        CHECK(h.l->recovery_point() == 0);
        REQUIRE_FALSE(h.l->maybe_flush(h.now + 500));
        CHECK(h.l->recovery_point() == 2);
    }

    TEST_CASE("flushed data survives a power loss") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        REQUIRE_FALSE(f.l->flush(f.l->latest()));
        f.append({.records = 2});
        f.fs.power_loss(0);
        f.reopen_after_crash(2);
        CHECK(f.l->latest() == 2);
        CHECK(read_all(*f.l, 0).size() == 1);
    }
}

TEST_SUITE("log.time") {
    TEST_CASE("offset for timestamp finds the first batch at or after the time") {
        log_fixture f;
        f.config.segment_bytes = 400;
        f.open_fresh();
        for (int i = 0; i < 20; ++i) f.append({.records = 2, .base_timestamp = 1000 + i * 100});
        REQUIRE(f.l->segment_count() > 2);
        auto hit = f.l->offset_for_timestamp(1550);
        REQUIRE(hit);
        REQUIRE(*hit);
        CHECK((*hit)->offset == 12);
        CHECK((*hit)->timestamp == 1601);
        CHECK((**f.l->offset_for_timestamp(0)).offset == 0);
        CHECK_FALSE(*f.l->offset_for_timestamp(99999));
        auto max = f.l->max_timestamp_offset();
        REQUIRE(max);
        CHECK(max->timestamp == 2901);
        CHECK(max->offset == 39);
    }

    TEST_CASE("timestamps that go backwards do not hide later batches") {
        log_fixture f;
        f.open_fresh();
        f.append({.base_timestamp = 5000});
        f.append({.base_timestamp = 1000});
        f.append({.base_timestamp = 6000});
        CHECK((**f.l->offset_for_timestamp(1000)).offset == 0);
        CHECK((**f.l->offset_for_timestamp(5500)).offset == 2);
        CHECK(f.l->max_timestamp_offset()->offset == 2);
    }

    TEST_CASE("time lookups survive a clean reopen") {
        log_fixture f;
        f.config.segment_bytes = 400;
        f.open_fresh();
        for (int i = 0; i < 20; ++i) f.append({.records = 2, .base_timestamp = 1000 + i * 100});
        REQUIRE_FALSE(f.l->close());
        f.open_clean();
        CHECK((**f.l->offset_for_timestamp(1550)).offset == 12);
        CHECK(f.l->max_timestamp_offset()->timestamp == 2901);
    }
}

TEST_SUITE("log.leader_epoch") {
    TEST_CASE("rising partition leader epochs are recorded and answer OffsetForLeaderEpoch") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 3}, {.leader_epoch = 1});
        f.append({.records = 3}, {.leader_epoch = 1});
        f.append({.records = 3}, {.leader_epoch = 3});
        CHECK(f.l->epochs().entries() == std::vector<epoch_entry>{{1, 0}, {3, 6}});
        CHECK(f.l->end_offset_for_epoch(3) == std::pair<int32_t, int64_t>{3, 9});
        CHECK(f.l->end_offset_for_epoch(1) == std::pair<int32_t, int64_t>{1, 6});
        CHECK(f.l->end_offset_for_epoch(2) == std::pair<int32_t, int64_t>{1, 6});
        CHECK(f.l->end_offset_for_epoch(0) == std::pair<int32_t, int64_t>{0, 0});
        CHECK(f.l->end_offset_for_epoch(4) == std::pair<int32_t, int64_t>{-1, -1});
        CHECK(f.l->end_offset_for_epoch(-1) == std::pair<int32_t, int64_t>{-1, -1});
        // Persisted beside the segments.
        f.open_clean();
        CHECK(f.l->epochs().entries() == std::vector<epoch_entry>{{1, 0}, {3, 6}});
    }

    TEST_CASE("follower truncation drops epochs that start past the new end") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 3}, {.leader_epoch = 1});
        f.append({.records = 3}, {.leader_epoch = 2});
        f.append({.records = 3}, {.leader_epoch = 2});
        REQUIRE_FALSE(f.l->truncate_to(4, f.now));
        CHECK(f.l->latest() == 3);
        CHECK(f.l->epochs().entries() == std::vector<epoch_entry>{{1, 0}});
        f.append({.records = 1}, {.leader_epoch = 5});
        CHECK(f.l->epochs().entries() == std::vector<epoch_entry>{{1, 0}, {5, 3}});
    }

    TEST_CASE("follower appends keep the leader's offsets") {
        log_fixture f;
        f.open_fresh();
        auto r = f.append({.records = 2, .base_offset = 10}, {.assign_offsets = false});
        CHECK(r.first_offset == 10);
        CHECK(f.l->latest() == 12);
        CHECK(test::read_all(*f.l, 10).at(0).base_offset == 10);
        auto stale = make_batch({.records = 1, .base_offset = 5});
        CHECK(f.l->append(stale, {.assign_offsets = false}).error() == errc::invalid_batches);
    }

    TEST_CASE("a follower append beyond the 32-bit relative range starts a segment at its offset") {
        log_fixture f;
        f.open_fresh();
        const int64_t far = 3'000'000'000;
        f.append({.records = 2, .base_offset = far}, {.assign_offsets = false});
        CHECK(f.l->segment_count() == 1);
        CHECK(f.fs.exists("/data/topic-0/00000000003000000000.log"));
        CHECK_FALSE(f.fs.exists("/data/topic-0/00000000000000000000.log"));
        CHECK(f.l->earliest() == far);
        CHECK(f.l->latest() == far + 2);
        CHECK(test::read_all(*f.l, far).at(0).base_offset == far);
    }
}

}  // namespace eddy::log
