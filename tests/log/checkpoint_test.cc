// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "log/checkpoint.h"
#include "log/errc.h"
#include "log/leader_epoch_cache.h"
#include "log/memory_filesystem.h"

namespace eddy::log {
namespace {

std::string text_of(memory_filesystem& fs, const std::string& path) {
    auto* c = fs.contents(path);
    REQUIRE(c != nullptr);
    return {c->begin(), c->end()};
}

void put_text(memory_filesystem& fs, const std::string& path, std::string_view text) {
    auto f = fs.open(path, true);
    REQUIRE(f);
    REQUIRE_FALSE((*f)->truncate(0));
    REQUIRE_FALSE((*f)->append(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
}

}  // namespace

TEST_SUITE("log.checkpoint") {
    TEST_CASE("offset checkpoints are Kafka's text: version, count, topic partition offset") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/data"));
        offset_checkpoint offsets{{{"orders", 0}, 42}, {{"orders", 1}, 7}};
        REQUIRE_FALSE(write_offset_checkpoint(fs, "/data", "recovery-point-offset-checkpoint", offsets));
        CHECK(text_of(fs, "/data/recovery-point-offset-checkpoint") ==
              "0\n2\norders 0 42\norders 1 7\n");
        auto back = read_offset_checkpoint(fs, "/data", "recovery-point-offset-checkpoint");
        REQUIRE(back);
        CHECK(*back == offsets);
        CHECK_FALSE(fs.exists("/data/recovery-point-offset-checkpoint.tmp"));
    }

    TEST_CASE("a missing checkpoint reads as empty; a malformed one is an error") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/data"));
        auto missing = read_offset_checkpoint(fs, "/data", "log-start-offset-checkpoint");
        REQUIRE(missing);
        CHECK(missing->empty());
        for (std::string_view bad : {"1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt zero 1\n", "0\n1\nt 0\n", ""}) {
            CAPTURE(bad);
            put_text(fs, "/data/log-start-offset-checkpoint", bad);
            CHECK(read_offset_checkpoint(fs, "/data", "log-start-offset-checkpoint").error() ==
                  errc::corrupt_checkpoint);
        }
    }

    TEST_CASE("the leader epoch checkpoint lists epoch and start offset") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/data/t-0"));
        REQUIRE_FALSE(write_leader_epoch_checkpoint(fs, "/data/t-0", {{0, 0}, {3, 120}}));
        CHECK(text_of(fs, "/data/t-0/leader-epoch-checkpoint") == "0\n2\n0 0\n3 120\n");
        auto back = read_leader_epoch_checkpoint(fs, "/data/t-0");
        REQUIRE(back);
        CHECK(*back == std::vector<epoch_entry>{{0, 0}, {3, 120}});
        put_text(fs, "/data/t-0/leader-epoch-checkpoint", "0\n1\n4   77\n");
        CHECK(*read_leader_epoch_checkpoint(fs, "/data/t-0") == std::vector<epoch_entry>{{4, 77}});
    }

    TEST_CASE("the clean shutdown marker is written, detected and removed") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/data"));
        CHECK_FALSE(has_clean_shutdown_marker(fs, "/data"));
        REQUIRE_FALSE(write_clean_shutdown_marker(fs, "/data", 5));
        CHECK(text_of(fs, "/data/.kafka_cleanshutdown") == "{\"version\":0,\"brokerEpoch\":5}");
        CHECK(has_clean_shutdown_marker(fs, "/data"));
        REQUIRE_FALSE(remove_clean_shutdown_marker(fs, "/data"));
        CHECK_FALSE(has_clean_shutdown_marker(fs, "/data"));
        CHECK_FALSE(remove_clean_shutdown_marker(fs, "/data"));
    }
}

TEST_SUITE("log.leader_epoch_cache") {
    TEST_CASE("assign keeps epochs and offsets increasing, replacing conflicting entries") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto cache = leader_epoch_cache::load(fs, "/p");
        REQUIRE(cache);
        REQUIRE_FALSE(cache->assign(1, 0));
        REQUIRE_FALSE(cache->assign(1, 5));  // same epoch later: nothing new
        REQUIRE_FALSE(cache->assign(2, 10));
        REQUIRE_FALSE(cache->assign(4, 20));
        CHECK(cache->entries() == std::vector<epoch_entry>{{1, 0}, {2, 10}, {4, 20}});
        REQUIRE_FALSE(cache->assign(3, 15));  // drops epoch 4, which started later
        CHECK(cache->entries() == std::vector<epoch_entry>{{1, 0}, {2, 10}, {3, 15}});
        auto reloaded = leader_epoch_cache::load(fs, "/p");
        CHECK(reloaded->entries() == cache->entries());
    }

    TEST_CASE("truncating from the start keeps the epoch that covers the new start") {
        memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/p"));
        auto cache = leader_epoch_cache::load(fs, "/p");
        REQUIRE_FALSE(cache->assign(1, 0));
        REQUIRE_FALSE(cache->assign(2, 10));
        REQUIRE_FALSE(cache->assign(3, 20));
        REQUIRE_FALSE(cache->truncate_from_start(15));
        CHECK(cache->entries() == std::vector<epoch_entry>{{2, 15}, {3, 20}});
        REQUIRE_FALSE(cache->truncate_from_end(20));
        CHECK(cache->entries() == std::vector<epoch_entry>{{2, 15}});
        CHECK(cache->end_offset_for(2, 30) == std::pair<int32_t, int64_t>{2, 30});
        CHECK(cache->end_offset_for(1, 30) == std::pair<int32_t, int64_t>{1, 15});
    }
}

}  // namespace eddy::log
