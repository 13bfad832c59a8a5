// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "log/file_names.h"
#include "log/memory_filesystem.h"
#include "quorum_test_util.h"

using namespace eddy;

using raft::test::options;
using raft::test::recording_listener;
using raft::test::values;

namespace {

const std::string segment_path = "/meta/__cluster_metadata-0/" + log::segment_file_name(0, ".log");

}  // namespace

TEST_SUITE("raft.quorum") {
    TEST_CASE("a single voter elects itself in the next epoch and records it in quorum-state") {
        log::memory_filesystem fs;
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(100));
        CHECK(q.is_leader());
        CHECK(q.epoch() == 1);
        CHECK(q.leader_id() == 1);
        // The LeaderChangeMessage is the first entry, and it is committed.
        CHECK(q.end_offset() == 1);
        CHECK(q.high_watermark() == 1);
        auto stored = raft::read_quorum_state(fs, "/meta/__cluster_metadata-0");
        REQUIRE(stored);
        REQUIRE(stored->has_value());
        CHECK(**stored == raft::election_state{1, 1, 1, {1}});
        recording_listener l;
        REQUIRE_FALSE(q.poll(100, l));
        CHECK(l.batches.empty());  // control batches are not delivered
    }

    TEST_CASE("an appended batch is committed at once and delivered once, in order") {
        log::memory_filesystem fs;
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(0));
        auto a = q.append(values({1, 2}), 10);
        REQUIRE(a);
        CHECK(a->base_offset == 1);
        CHECK(a->last_offset == 2);
        CHECK(q.high_watermark() == 3);
        auto b = q.append(values({3}), 11);
        REQUIRE(b);
        CHECK(b->base_offset == 3);
        recording_listener l;
        REQUIRE_FALSE(q.poll(12, l));
        REQUIRE(l.batches.size() == 2);
        CHECK(l.batches[0].base_offset == 1);
        CHECK(l.batches[0].last_offset == 2);
        CHECK(l.batches[0].epoch == 1);
        CHECK(l.batches[0].append_time_ms == 10);
        CHECK(l.all_records() == values({1, 2, 3}));
        REQUIRE_FALSE(q.poll(13, l));
        CHECK(l.batches.size() == 2);
        CHECK_FALSE(q.append({}, 14));  // an empty batch is refused
    }

    TEST_CASE("a restart replays the whole committed log and leads the next epoch") {
        log::memory_filesystem fs;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            REQUIRE(q.append(values({1}), 1));
            REQUIRE(q.append(values({2, 3}), 2));
            REQUIRE_FALSE(q.close());
        }
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(5));
        CHECK(q.epoch() == 2);
        recording_listener l;
        REQUIRE_FALSE(q.poll(5, l));
        CHECK(l.all_records() == values({1, 2, 3}));
        CHECK(l.batches[1].epoch == 1);
        auto c = q.append(values({4}), 6);
        REQUIRE(c);
        CHECK(c->base_offset == 5);  // after 2 leader changes and 3 records
        REQUIRE_FALSE(q.poll(6, l));
        CHECK(l.batches.back().epoch == 2);
    }

    TEST_CASE("a restart after a kill without close replays what was written") {
        log::memory_filesystem fs;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            REQUIRE(q.append(values({1}), 1));
        }
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(5));
        recording_listener l;
        REQUIRE_FALSE(q.poll(5, l));
        CHECK(l.all_records() == values({1}));
    }

    TEST_CASE("a torn batch at the log tail is cut on restart and the rest is replayed") {
        log::memory_filesystem fs;
        {
            raft::quorum q(fs, options());
            REQUIRE_FALSE(q.start(0));
            REQUIRE(q.append(values({1}), 1));
            REQUIRE(q.append(values({2, 3}), 2));
        }
        std::vector<uint8_t>* bytes = fs.contents(segment_path);
        REQUIRE(bytes != nullptr);
        bytes->resize(bytes->size() - 5);  // the last batch loses its end
        raft::quorum q(fs, options());
        REQUIRE_FALSE(q.start(5));
        CHECK(q.recovery().bytes_truncated > 0);
        recording_listener l;
        REQUIRE_FALSE(q.poll(5, l));
        CHECK(l.all_records() == values({1}));
        // The new epoch continues right after the last whole batch.
        auto next = q.append(values({9}), 6);
        REQUIRE(next);
        CHECK(next->base_offset == 3);
    }

    TEST_CASE("a corrupt quorum-state stops start-up") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/meta/__cluster_metadata-0"));
        const std::string junk = "not json";
        REQUIRE_FALSE(log::write_file_atomically(
            fs, "/meta/__cluster_metadata-0", "quorum-state",
            std::span(reinterpret_cast<const uint8_t*>(junk.data()), junk.size())));
        raft::quorum q(fs, options());
        CHECK(q.start(0));
    }

    TEST_CASE("a voter set other than this node alone is not supported yet") {
        log::memory_filesystem fs;
        auto o = options();
        o.voters = {1, 2, 3};
        raft::quorum q(fs, o);
        CHECK(q.start(0) == std::make_error_code(std::errc::not_supported));
    }
}
