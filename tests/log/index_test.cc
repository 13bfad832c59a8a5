// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "log/memory_filesystem.h"
#include "log/offset_index.h"
#include "log/time_index.h"

namespace eddy::log {

TEST_SUITE("log.index") {
    TEST_CASE("offset index finds the greatest entry at or below the target") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto idx = offset_index::open(fs, "/p/x.index", 100, 10, 1 << 20);
        REQUIRE(idx);
        idx->append(110, 4000);
        idx->append(120, 8000);
        REQUIRE_FALSE(idx->write());
        CHECK(idx->lookup(99).position == 0);
        CHECK(idx->lookup(109).offset == 100);
        CHECK(idx->lookup(110).position == 4000);
        CHECK(idx->lookup(119).position == 4000);
        CHECK(idx->lookup(500).position == 8000);
        CHECK(fs.contents("/p/x.index")->size() == 16);
        // Relative offsets and positions, big-endian.
        const std::vector<uint8_t> first(fs.contents("/p/x.index")->begin(),
                                         fs.contents("/p/x.index")->begin() + 8);
        CHECK(first == std::vector<uint8_t>{0, 0, 0, 10, 0, 0, 0x0f, 0xa0});
    }

    TEST_CASE("offset index survives reopening and truncation") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        {
            auto idx = offset_index::open(fs, "/p/x.index", 0, 10, 1 << 20);
            for (int i = 1; i <= 5; ++i) idx->append(i * 10, static_cast<uint32_t>(i * 100));
            REQUIRE_FALSE(idx->write());
            REQUIRE_FALSE(idx->truncate_to(30));
        }
        auto idx = offset_index::open(fs, "/p/x.index", 0, 10, 1 << 20);
        REQUIRE(idx);
        CHECK_FALSE(idx->corrupt());
        CHECK(idx->size() == 2);
        CHECK(idx->last().offset == 20);
        CHECK(idx->lookup(45).position == 200);
    }

    TEST_CASE("a torn or inconsistent offset index is reported corrupt") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        {
            auto idx = offset_index::open(fs, "/p/x.index", 0, 10, 1 << 20);
            idx->append(10, 100);
            idx->append(20, 200);
            REQUIRE_FALSE(idx->write());
        }
        SUBCASE("partial entry") { fs.contents("/p/x.index")->resize(12); }
        SUBCASE("position beyond the log") {
            auto idx = offset_index::open(fs, "/p/x.index", 0, 10, 150);
            CHECK(idx->corrupt());
            return;
        }
        SUBCASE("offsets not increasing") { (*fs.contents("/p/x.index"))[11] = 5; }
        auto idx = offset_index::open(fs, "/p/x.index", 0, 10, 1 << 20);
        REQUIRE(idx);
        CHECK(idx->corrupt());
        CHECK(idx->empty());
    }

    TEST_CASE("offset index is full at segment.index.bytes / 8 entries") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto idx = offset_index::open(fs, "/p/x.index", 0, 2, 1 << 20);
        idx->append(1, 10);
        CHECK_FALSE(idx->full());
        idx->append(2, 20);
        CHECK(idx->full());
    }

    TEST_CASE("time index only grows in timestamp and finds the entry at or below") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto idx = time_index::open(fs, "/p/x.timeindex", 50, 10);
        REQUIRE(idx);
        idx->maybe_append(-1, 50);  // no timestamp: never indexed
        idx->maybe_append(1000, 55);
        idx->maybe_append(900, 60);  // older than the last entry: skipped
        idx->maybe_append(2000, 70);
        REQUIRE_FALSE(idx->write());
        CHECK(idx->size() == 2);
        CHECK(idx->lookup(999).timestamp == time_index::no_timestamp);
        CHECK(idx->lookup(999).offset == 50);
        CHECK(idx->lookup(1500).offset == 55);
        CHECK(idx->lookup(5000).offset == 70);
        CHECK(fs.contents("/p/x.timeindex")->size() == 24);

        auto reopened = time_index::open(fs, "/p/x.timeindex", 50, 10);
        CHECK_FALSE(reopened->corrupt());
        CHECK(reopened->last().timestamp == 2000);
        REQUIRE_FALSE(reopened->truncate_to(70));
        CHECK(reopened->size() == 1);
    }

    TEST_CASE("a torn time index is reported corrupt") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        {
            auto idx = time_index::open(fs, "/p/x.timeindex", 0, 10);
            idx->maybe_append(1000, 5);
            REQUIRE_FALSE(idx->write());
        }
        fs.contents("/p/x.timeindex")->push_back(0);
        auto idx = time_index::open(fs, "/p/x.timeindex", 0, 10);
        CHECK(idx->corrupt());
    }
}

}  // namespace eddy::log
