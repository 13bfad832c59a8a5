// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The quorum with snapshots: which one a restart resumes from, what it replays after it,
// and what a new snapshot lets it delete.
#include "log/errc.h"
#include "log/memory_filesystem.h"
#include "quorum_test_util.h"

#include <doctest/doctest.h>

using namespace eddy;
using raft::test::options;
using raft::test::partition_dir;
using raft::test::recording_listener;
using raft::test::values;

namespace {

// Snapshots the delivered state as `state` (the records a listener would rebuild it from).
raft::snapshot_id take_snapshot(raft::quorum& q, const std::vector<std::vector<uint8_t>>& state,
                                int64_t now) {
    const raft::delivered_position at = q.delivered();
    const raft::snapshot_id id{at.end_offset, at.epoch};
    auto w = q.create_snapshot(id, at.last_timestamp, now);
    REQUIRE(w);
    REQUIRE(w->has_value());
    REQUIRE_FALSE((*w)->append(state, now));
    REQUIRE_FALSE(q.finish_snapshot(**w, now));
    return id;
}

// Appends `vals` as one batch and lets the quorum deliver it (to a listener nobody reads).
void append_delivered(raft::quorum& q, const std::vector<std::vector<uint8_t>>& vals, int64_t now) {
    REQUIRE(q.append(vals, now));
    recording_listener l;
    REQUIRE_FALSE(q.poll(now, l));
}

// What a quorum restarted over `fs` delivers at its first poll.
recording_listener restart_and_poll(log::memory_filesystem& fs, const raft::quorum_options& o) {
    raft::quorum q(fs, o);
    REQUIRE_FALSE(q.start(5));
    recording_listener l;
    REQUIRE_FALSE(q.poll(5, l));
    return l;
}

// Each path is appended in steps: GCC 12 warns (-Warray-bounds, wrongly) on a chain of
// operator+ that starts from a temporary string.
std::string in_partition_dir(const std::string& file) {
    std::string path = partition_dir;
    path += '/';
    path += file;
    return path;
}

std::string snapshot_path(raft::snapshot_id id) { return in_partition_dir(raft::snapshot_file_name(id)); }

void damage(log::memory_filesystem& fs, raft::snapshot_id id) {
    std::vector<uint8_t>* bytes = fs.contents(snapshot_path(id));
    REQUIRE(bytes != nullptr);
    (*bytes)[bytes->size() / 2] ^= 0x01;
}

}  // namespace

TEST_SUITE("raft.quorum_snapshot") {
    TEST_CASE("a restart loads the newest snapshot and replays only the batches after it") {
        log::memory_filesystem fs;
        raft::snapshot_id id;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            append_delivered(q, values({1}), 10);
            append_delivered(q, values({2}), 11);
            id = take_snapshot(q, values({100}), 12);
            REQUIRE(q.append(values({3}), 13));
            REQUIRE_FALSE(q.close());
        }
        // Offset 0 is the leader change, 1 and 2 the records: the snapshot ends at 3.
        CHECK(id == raft::snapshot_id{3, 1});
        CHECK(fs.exists(snapshot_path(id)));

        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(20));
        CHECK(q.epoch() == 2);
        recording_listener l;
        REQUIRE_FALSE(q.poll(20, l));
        REQUIRE(l.snapshot);
        CHECK(l.snapshot->id == id);
        CHECK(l.snapshot->records == values({100}));
        CHECK(l.snapshot->last_contained_log_timestamp == 11);
        CHECK(l.all_records() == values({3}));
        CHECK(l.batches.front().base_offset == 3);
        // A second poll delivers neither again.
        l = {};
        REQUIRE_FALSE(q.poll(21, l));
        CHECK_FALSE(l.snapshot);
        CHECK(l.batches.empty());
    }

    TEST_CASE(
        "only committed state is snapshotted, and an existing snapshot is not written again") {
        log::memory_filesystem fs;
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(0));
        append_delivered(q, values({1}), 1);
        auto past = q.create_snapshot({q.high_watermark() + 1, 1}, 0, 2);
        CHECK(past.error() == std::make_error_code(std::errc::invalid_argument));
        auto empty = q.create_snapshot({0, 1}, 0, 2);
        CHECK_FALSE(empty);
        const raft::snapshot_id id = take_snapshot(q, values({7}), 2);
        auto again = q.create_snapshot(id, 0, 3);
        REQUIRE(again);
        CHECK_FALSE(again->has_value());
        CHECK(q.snapshots() == std::vector<raft::snapshot_id>{id});
    }

    TEST_CASE("a damaged newest snapshot is deleted and the one before it is used") {
        log::memory_filesystem fs;
        raft::snapshot_id older, newer;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            append_delivered(q, values({1}), 1);
            older = take_snapshot(q, values({101}), 1);
            append_delivered(q, values({2}), 2);
            newer = take_snapshot(q, values({102}), 2);
            REQUIRE(q.append(values({3}), 3));
            REQUIRE_FALSE(q.close());
        }
        damage(fs, newer);
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(5));
        recording_listener l;
        REQUIRE_FALSE(q.poll(5, l));
        REQUIRE(l.snapshot);
        CHECK(l.snapshot->id == older);
        CHECK(l.snapshot->records == values({101}));
        CHECK(l.all_records() == values({2, 3}));
        CHECK_FALSE(fs.exists(snapshot_path(newer)));
        CHECK(q.snapshots() == std::vector<raft::snapshot_id>{older});
    }

    TEST_CASE("with no valid snapshot the whole log is replayed") {
        log::memory_filesystem fs;
        raft::snapshot_id id;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            append_delivered(q, values({1, 2}), 1);
            id = take_snapshot(q, values({100}), 1);
            REQUIRE(q.append(values({3}), 2));
        }
        // A snapshot cut short (no footer) is as useless as a damaged one.
        std::vector<uint8_t>* bytes = fs.contents(snapshot_path(id));
        bytes->resize(bytes->size() - 10);
        recording_listener l = restart_and_poll(fs, options());
        CHECK_FALSE(l.snapshot);
        CHECK(l.all_records() == values({1, 2, 3}));
    }

    TEST_CASE("a partial snapshot file left by a crash is ignored and removed") {
        log::memory_filesystem fs;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            append_delivered(q, values({1}), 1);
            // A snapshot write that never finished: the writer is dropped with the process.
            auto w = q.create_snapshot({q.delivered().end_offset, q.delivered().epoch}, 0, 1);
            REQUIRE(w);
            REQUIRE(w->has_value());
            REQUIRE_FALSE((*w)->append(values({9}), 1));
            // Copy the partial file aside to survive the writer's own clean-up, as a kill would.
            const std::string part = in_partition_dir(raft::partial_snapshot_file_name((*w)->id()));
            std::vector<uint8_t> bytes = *fs.contents(part);
            w->reset();
            auto f = fs.open(part, true);
            REQUIRE(f);
            REQUIRE_FALSE((*f)->append(bytes));
        }
        const std::string part = in_partition_dir(raft::partial_snapshot_file_name({2, 1}));
        REQUIRE(fs.exists(part));
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(5));
        CHECK_FALSE(fs.exists(part));
        CHECK(q.snapshots().empty());
        recording_listener l;
        REQUIRE_FALSE(q.poll(5, l));
        CHECK_FALSE(l.snapshot);
        CHECK(l.all_records() == values({1}));
    }

    TEST_CASE("the two newest snapshots are kept and log segments below the older one deleted") {
        log::memory_filesystem fs;
        auto o = options();
        o.log_config.segment_bytes = 150;  // about two batches a segment
        std::vector<raft::snapshot_id> taken;
        {
            raft::quorum q(fs, o);
            REQUIRE_FALSE(q.start(0));
            for (uint8_t round = 0; round < 4; ++round) {
                for (uint8_t i = 0; i < 4; ++i)
                    append_delivered(q, values({uint8_t(round * 10 + i)}), 1);
                taken.push_back(take_snapshot(q, values({uint8_t(200 + round)}), 1));
            }
            CHECK(q.snapshots() == std::vector<raft::snapshot_id>{taken[2], taken[3]});
            CHECK(q.start_offset() > 0);
            CHECK(q.start_offset() <= taken[2].end_offset);
            REQUIRE(q.append(values({99}), 2));
            REQUIRE_FALSE(q.close());
        }
        CHECK_FALSE(fs.exists(snapshot_path(taken[0])));
        CHECK_FALSE(fs.exists(snapshot_path(taken[1])));
        CHECK(fs.exists(snapshot_path(taken[2])));

        SUBCASE("a restart resumes from the newest") {
            recording_listener l = restart_and_poll(fs, o);
            REQUIRE(l.snapshot);
            CHECK(l.snapshot->records == values({203}));
            CHECK(l.all_records() == values({99}));
        }
        SUBCASE("the older one still works when the newest is damaged") {
            damage(fs, taken[3]);
            recording_listener l = restart_and_poll(fs, o);
            REQUIRE(l.snapshot);
            CHECK(l.snapshot->records == values({202}));
            CHECK(l.all_records() == values({30, 31, 32, 33, 99}));
        }
        SUBCASE("start-up fails when no valid snapshot covers the deleted log") {
            damage(fs, taken[2]);
            damage(fs, taken[3]);
            raft::quorum q(fs, o);
            CHECK(q.start(5));
            CHECK_FALSE(q.last_error().empty());
        }
    }
}
