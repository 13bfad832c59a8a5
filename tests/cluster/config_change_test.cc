// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Topic config changes act on open logs at once, as Kafka's UnifiedLog.updateConfig:
// no reopen, the next append, roll, flush or retention check uses the new value.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "cluster_fixture.h"

namespace eddy::cluster::test {
namespace {

using metadata::resource_type;

// A topic of 2,000-byte segments filled with ten 900-byte batches, past its 2,500-byte
// retention.bytes: the next retention pass moves its log start.
void fill_past_retention(cluster_fixture& f, const std::string& topic) {
    f.create_topic({.name = topic, .configs = {{"segment.bytes", "2000"}, {"retention.bytes", "2500"}}});
    for (int i = 0; i < 10; ++i) REQUIRE(f.produce_error(topic, 0, simple_batch(1, 900)) == 0);
}

// Whether a housekeeping timer, not run_housekeeping(), moves the log start. Bounded only
// against a hang.
bool timer_moves_log_start(cluster_fixture& f, const std::string& topic) {
    for (int i = 0; i < 3000 && f.log_of(topic, 0).log_start == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return f.log_of(topic, 0).log_start > 0;
}

TEST_SUITE("cluster.config_change") {
    TEST_CASE("lowering segment.bytes on a live partition makes the next appends roll") {
        cluster_fixture f;
        f.create_topic({.name = "seg"});
        for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("seg", 0, simple_batch(1, 500)) == 0);
        REQUIRE(f.log_of("seg", 0).segments == 1);

        // Room for one such batch per segment: each later append starts a new one.
        const size_t batch = simple_batch(1, 500).size();
        f.alter_configs(resource_type::topic, "seg", {{"segment.bytes", std::to_string(batch + 10)}});
        for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("seg", 0, simple_batch(1, 500)) == 0);
        CHECK(f.log_of("seg", 0).segments == 4);
        CHECK(f.fetch_one("seg", 0, 0).partition().high_watermark == 6);

        // And back: without the override the default (1 GiB) lets the active segment grow.
        f.alter_configs(resource_type::topic, "seg", {{"segment.bytes", std::nullopt}});
        for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("seg", 0, simple_batch(1, 500)) == 0);
        CHECK(f.log_of("seg", 0).segments == 4);
    }

    TEST_CASE("flush.messages=1 set on a live partition flushes every append") {
        cluster_fixture f;
        f.create_topic({.name = "fl"});
        REQUIRE(f.produce_error("fl", 0, simple_batch(2)) == 0);
        // Kafka's default leaves the bytes to the page cache: nothing flushed yet.
        CHECK(f.log_of("fl", 0).recovery_point == 0);

        f.alter_configs(resource_type::topic, "fl", {{"flush.messages", "1"}});
        REQUIRE(f.produce_error("fl", 0, simple_batch(3)) == 0);
        cluster_fixture::log_state s = f.log_of("fl", 0);
        CHECK(s.log_end == 5);
        CHECK(s.recovery_point == 5);
    }

    TEST_CASE("a changed broker default reaches topics without an override") {
        cluster_fixture f;
        f.create_topic({.name = "bd"});
        f.create_topic({.name = "own", .configs = {{"segment.bytes", "1073741824"}}});
        const size_t batch = simple_batch(1, 500).size();
        f.alter_configs(resource_type::broker, "", {{"log.segment.bytes", std::to_string(batch + 10)}});
        for (int i = 0; i < 3; ++i) {
            REQUIRE(f.produce_error("bd", 0, simple_batch(1, 500)) == 0);
            REQUIRE(f.produce_error("own", 0, simple_batch(1, 500)) == 0);
        }
        CHECK(f.log_of("bd", 0).segments == 3);
        CHECK(f.log_of("own", 0).segments == 1);  // the topic's own value wins
    }

    TEST_CASE("max.message.bytes and retention.bytes changes apply to a live partition") {
        cluster_fixture f;
        f.create_topic({.name = "mm", .configs = {{"segment.bytes", "2000"}}});
        REQUIRE(f.produce_error("mm", 0, simple_batch(1, 900)) == 0);
        f.alter_configs(resource_type::topic, "mm", {{"max.message.bytes", "500"}});
        CHECK(f.produce_error("mm", 0, simple_batch(1, 900)) == 10);  // MESSAGE_TOO_LARGE
        f.alter_configs(resource_type::topic, "mm", {{"max.message.bytes", std::nullopt}});
        for (int i = 0; i < 5; ++i) REQUIRE(f.produce_error("mm", 0, simple_batch(1, 900)) == 0);

        f.replicas().run_housekeeping();
        REQUIRE(f.log_of("mm", 0).log_start == 0);  // retention.bytes is -1: keep all
        f.alter_configs(resource_type::topic, "mm", {{"retention.bytes", "2500"}});
        f.replicas().run_housekeeping();
        CHECK(f.log_of("mm", 0).log_start > 0);
    }
}

TEST_SUITE("cluster.housekeeping") {
    TEST_CASE("log.retention.check.interval.ms drives the retention timer") {
        replica_manager_options o;
        o.retention_check_interval = std::chrono::milliseconds(20);
        o.initial_task_delay = std::chrono::milliseconds(0);
        cluster_fixture f(2, o);
        fill_past_retention(f, "rt");
        CHECK(timer_moves_log_start(f, "rt"));
    }

    TEST_CASE("log.initial.task.delay.ms brings the first retention pass ahead of its interval") {
        replica_manager_options o;
        o.retention_check_interval = std::chrono::hours(1);
        o.initial_task_delay = std::chrono::hours(1);
        cluster_fixture f(2, o);
        fill_past_retention(f, "first");
        CHECK(f.log_of("first", 0).log_start == 0);
        // Started again with Kafka's way of scheduling: the first pass after the delay,
        // although the next is an hour away.
        o.initial_task_delay = std::chrono::milliseconds(20);
        f.restart(o);
        CHECK(timer_moves_log_start(f, "first"));
    }

    TEST_CASE("log.flush.offset.checkpoint.interval.ms drives the recovery point checkpoint") {
        replica_manager_options o;
        o.recovery_point_checkpoint_interval = std::chrono::milliseconds(20);
        o.log_start_checkpoint_interval = std::chrono::milliseconds(0);  // never by timer
        o.initial_task_delay = std::chrono::milliseconds(0);
        cluster_fixture f(2, o);
        f.create_topic({.name = "cp", .configs = {{"flush.messages", "1"}}});
        REQUIRE(f.produce_error("cp", 0, simple_batch(2)) == 0);
        const std::string logs = f.dir() + "/logs";
        auto written = [&] {
            std::ifstream in(logs + "/recovery-point-offset-checkpoint");
            std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            return all.find("cp 0 2") != std::string::npos;
        };
        for (int i = 0; i < 3000 && !written(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(written());
        CHECK_FALSE(std::filesystem::exists(logs + "/log-start-offset-checkpoint"));
    }
}

}  // namespace
}  // namespace eddy::cluster::test
