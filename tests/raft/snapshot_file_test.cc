// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Snapshot files on their own: names, the batches written, and what reading refuses.
#include "log/errc.h"
#include "log/memory_filesystem.h"
#include "raft/batch_codec.h"
#include "raft/snapshot_reader.h"
#include "raft/snapshot_writer.h"
#include "record/batch.h"

#include <doctest/doctest.h>

using namespace eddy;

namespace {

const std::string dir = "/snap";

std::vector<std::vector<uint8_t>> records(size_t n, size_t size = 10) {
    std::vector<std::vector<uint8_t>> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back(std::vector<uint8_t>(size, static_cast<uint8_t>(i)));
    return out;
}

// Writes a finished snapshot `id` holding `recs`.
void write(log::memory_filesystem& fs, raft::snapshot_id id,
           const std::vector<std::vector<uint8_t>>& recs, size_t max_batch_bytes = 1 << 20) {
    auto w = raft::snapshot_writer::create(fs, dir, id, 1234, 50, max_batch_bytes);
    REQUIRE(w);
    REQUIRE_FALSE(w->append(recs, 51));
    REQUIRE(w->freeze(52));
}

std::vector<record::batch_view> batches_of(const std::vector<uint8_t>& bytes) {
    std::vector<record::batch_view> out;
    record::batch_scanner scanner(bytes.data(), bytes.size());
    record::batch_view v;
    while (scanner.next(v) == record::scan_status::ok) out.push_back(v);
    return out;
}

std::optional<int16_t> control_type_of(const record::batch_view& v) {
    std::string error;
    auto b = raft::decode_batch(v, error);
    REQUIRE(b);
    if (!b->control || b->records.size() != 1) return std::nullopt;
    return raft::control_record_type(b->records[0]);
}

}  // namespace

TEST_SUITE("raft.snapshot_file") {
    TEST_CASE("snapshot files are named by 20-digit end offset and 10-digit epoch") {
        CHECK(raft::snapshot_file_name({100, 3}) == "00000000000000000100-0000000003.checkpoint");
        CHECK(raft::partial_snapshot_file_name({7, 1}) ==
              "00000000000000000007-0000000001.checkpoint.part");
        auto p = raft::parse_snapshot_path("00000000000000000100-0000000003.checkpoint");
        REQUIRE(p);
        CHECK(p->id == raft::snapshot_id{100, 3});
        CHECK_FALSE(p->partial);
        // Kafka's partial files have a random part before the suffix.
        auto partial =
            raft::parse_snapshot_path("00000000000000000100-0000000003-42.checkpoint.part");
        REQUIRE(partial);
        CHECK(partial->partial);
        CHECK(partial->id == raft::snapshot_id{100, 3});
        CHECK(raft::parse_snapshot_path("00000000000000000100-0000000003.checkpoint.deleted")
                  ->deleted);
        CHECK_FALSE(raft::parse_snapshot_path("00000000000000000000.log"));
        CHECK_FALSE(raft::parse_snapshot_path("quorum-state"));
        CHECK_FALSE(raft::parse_snapshot_path("0000000000000000010x-0000000003.checkpoint"));
        CHECK_FALSE(raft::parse_snapshot_path("leader-epoch-checkpoint"));
    }

    TEST_CASE("a snapshot is a header control batch, data batches and a footer control batch") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories(dir));
        // 25 records of 10 bytes with 100-byte batches: 3 data batches (10, 10, 5 records).
        write(fs, {40, 2}, records(25), 100);
        CHECK_FALSE(fs.exists(dir + "/" + raft::partial_snapshot_file_name({40, 2})));
        const std::vector<uint8_t>* bytes =
            fs.contents(dir + "/" + raft::snapshot_file_name({40, 2}));
        REQUIRE(bytes != nullptr);
        auto batches = batches_of(*bytes);
        REQUIRE(batches.size() == 5);
        CHECK(control_type_of(batches.front()) == raft::control_type_snapshot_header);
        CHECK(control_type_of(batches.back()) == raft::control_type_snapshot_footer);
        // Offsets run from 0 through the file; every batch carries the snapshot's epoch.
        int64_t next = 0;
        for (const auto& b : batches) {
            CHECK(b.base_offset() == next);
            CHECK(b.partition_leader_epoch() == 2);
            next = b.last_offset() + 1;
        }
        CHECK(batches[1].records_count() == 10);
        CHECK(batches[3].records_count() == 5);

        std::string error;
        auto read = raft::read_snapshot(fs, dir, {40, 2}, error);
        REQUIRE(read);
        CHECK(read->records == records(25));
        CHECK(read->last_contained_log_timestamp == 1234);
        CHECK(read->size_bytes == bytes->size());
    }

    TEST_CASE("a writer dropped before freeze leaves no file behind") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories(dir));
        {
            auto w = raft::snapshot_writer::create(fs, dir, {5, 1}, 0, 0);
            REQUIRE(w);
            REQUIRE_FALSE(w->append(records(3), 0));
            CHECK(fs.exists(dir + "/" + raft::partial_snapshot_file_name({5, 1})));
        }
        auto listed = fs.list(dir);
        REQUIRE(listed);
        CHECK(listed->empty());
    }

    TEST_CASE("listing snapshots removes partial and deleted leftovers and sorts the rest") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories(dir));
        write(fs, {30, 2}, records(1));
        write(fs, {10, 1}, records(1));
        for (const std::string name : {"00000000000000000050-0000000002.checkpoint.part",
                                       "00000000000000000005-0000000001.checkpoint.deleted"}) {
            auto f = fs.open(dir + "/" + name, true);
            REQUIRE(f);
        }
        auto ids = raft::load_snapshot_ids(fs, dir);
        REQUIRE(ids);
        CHECK(*ids == std::vector<raft::snapshot_id>{{10, 1}, {30, 2}});
        auto listed = fs.list(dir);
        REQUIRE(listed);
        CHECK(listed->size() == 2);
    }

    TEST_CASE("a damaged, truncated or headless snapshot is refused as corrupt") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories(dir));
        write(fs, {9, 1}, records(8));
        const std::string path = dir + "/" + raft::snapshot_file_name({9, 1});
        const std::vector<uint8_t> good = *fs.contents(path);
        std::string error;

        SUBCASE("a flipped byte fails the CRC") { (*fs.contents(path))[good.size() / 2] ^= 0x40; }
        SUBCASE("a file cut inside a batch") { fs.contents(path)->resize(good.size() - 3); }
        SUBCASE("a file without its footer batch") {
            auto batches = batches_of(good);
            fs.contents(path)->resize(good.size() - batches.back().size());
        }
        SUBCASE("a file without its header batch") {
            auto batches = batches_of(good);
            fs.contents(path)->erase(
                fs.contents(path)->begin(),
                fs.contents(path)->begin() + static_cast<long>(batches.front().size()));
        }
        SUBCASE("an empty file") { fs.contents(path)->clear(); }
        auto read = raft::read_snapshot(fs, dir, {9, 1}, error);
        CHECK_FALSE(read);
        CHECK(read.error() == log::errc::corrupt_checkpoint);
        CHECK_FALSE(error.empty());
    }

    TEST_CASE("a snapshot that does not exist is a file error, not corruption") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories(dir));
        std::string error;
        auto read = raft::read_snapshot(fs, dir, {9, 1}, error);
        REQUIRE_FALSE(read);
        CHECK(read.error() != log::errc::corrupt_checkpoint);
    }
}
