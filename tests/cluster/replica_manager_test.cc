// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "cluster_fixture.h"

namespace eddy::cluster::test {
namespace {

namespace fs = std::filesystem;

TEST_CASE("partition logs live in <log dir>/<topic>-<partition> and survive a restart") {
    cluster_fixture f;
    f.create_topic({.name = "keep", .partitions = 2});
    REQUIRE(f.produce_error("keep", 1, simple_batch(3)) == 0);
    CHECK(fs::is_directory(f.dir() + "/logs/keep-0"));
    CHECK(fs::is_directory(f.dir() + "/logs/keep-1"));
    f.restart();
    // The clean shutdown left the marker; the new start removed it again.
    CHECK_FALSE(fs::exists(f.dir() + "/logs/.kafka_cleanshutdown"));
    CHECK(fs::exists(f.dir() + "/logs/recovery-point-offset-checkpoint"));
    CHECK(fs::exists(f.dir() + "/logs/log-start-offset-checkpoint"));
    fetched got = f.fetch_one("keep", 1, 0);
    CHECK(got.partition().high_watermark == 3);
    CHECK(batches_in(got.partition().records).size() == 1);
    REQUIRE(f.produce_error("keep", 1, simple_batch(1)) == 0);
    CHECK(f.fetch_one("keep", 1, 0).partition().high_watermark == 4);
}

TEST_CASE("a clean stop writes the clean shutdown marker and the checkpoints") {
    std::string logs;
    {
        cluster_fixture f;
        f.create_topic({.name = "t1"});
        REQUIRE(f.produce_error("t1", 0, simple_batch(2)) == 0);
        f.replicas().stop();
        logs = f.dir() + "/logs";
        CHECK(fs::exists(logs + "/.kafka_cleanshutdown"));
        // Kafka's CleanShutdownFileHandler content; this fixture's image registers no
        // broker, so no epoch (the admin tests see a registered one).
        std::ifstream marker(logs + "/.kafka_cleanshutdown");
        std::string text((std::istreambuf_iterator<char>(marker)), std::istreambuf_iterator<char>());
        CHECK(text == "{\"version\":0,\"brokerEpoch\":-1}");
        std::ifstream in(logs + "/recovery-point-offset-checkpoint");
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(all.find("t1 0 2") != std::string::npos);
        // As Kafka's LogManager: a log start equal to the first segment's base offset is
        // found again when the log loads, so it is not checkpointed.
        std::ifstream starts(logs + "/log-start-offset-checkpoint");
        CHECK(std::string((std::istreambuf_iterator<char>(starts)), std::istreambuf_iterator<char>()) == "0\n0\n");
    }
}

TEST_CASE("retention by size deletes whole old segments and advances the log start") {
    cluster_fixture f;
    f.create_topic({.name = "r", .configs = {{"segment.bytes", "2000"}, {"retention.bytes", "2500"}}});
    for (int i = 0; i < 10; ++i) REQUIRE(f.produce_error("r", 0, simple_batch(1, 900)) == 0);
    f.replicas().run_housekeeping();
    fetched got = f.fetch_one("r", 0, 9);
    CHECK(got.partition().log_start_offset > 0);
    CHECK(got.partition().high_watermark == 10);
}

}  // namespace
}  // namespace eddy::cluster::test
