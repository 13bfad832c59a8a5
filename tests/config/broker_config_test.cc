// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/broker_config.h"
#include "config/config_error.h"

using namespace eddy::config;

namespace {
command_line parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"eddy"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
}
// The config_error message config_from_properties throws for `text`, or "no error".
std::string error_of(const std::string& text) {
    try {
        config_from_properties(parse_properties(text));
    } catch (const config_error& e) {
        return std::string(e.what());
    }
    return std::string("no error");
}
}  // namespace

TEST_SUITE("config.broker_config") {
    TEST_CASE("with no file the embedded defaults serve localhost:9092 from ./eddy-data") {
        broker_config c = load_config(parse({}));
        CHECK(c.node_id == 1);
        REQUIRE(c.listeners.size() == 1);
        CHECK(c.listeners[0].to_string() == "PLAINTEXT://localhost:9092");
        CHECK(c.log_dirs == std::vector<std::string>{"./eddy-data"});
        CHECK(c.socket_request_max_bytes == 104857600);
        CHECK(c.connections_max_idle_ms == 600000);
        CHECK(c.num_partitions == 1);
        CHECK(c.fetch_max_bytes == 57671680);
        CHECK(c.log_level == "info");
        CHECK_FALSE(c.produce_batch_validation_strict);
        CHECK_FALSE(c.cluster_id);
        CHECK(c.effective_advertised_listeners() == c.listeners);
    }

    TEST_CASE("known keys are read from properties") {
        broker_config c = config_from_properties(parse_properties(
            "node.id=7\nprocess.roles=controller, broker\nlisteners=PLAINTEXT://127.0.0.1:0\n"
            "advertised.listeners=PLAINTEXT://kafka.example:9092\nlog.dirs=/a, /b\n"
            "num.partitions=3\nnum.network.threads=2\nnum.io.threads=4\n"
            "socket.request.max.bytes=1024\neddy.log.level=debug\ncluster.id=abc\n"
            "eddy.produce.batch.validation=strict\nconnections.max.idle.ms=-1\nfetch.max.bytes=1024\n"));
        CHECK(c.node_id == 7);
        CHECK(c.process_roles == std::vector<std::string>{"controller", "broker"});
        CHECK(c.listeners[0].port == 0);
        CHECK(c.effective_advertised_listeners()[0].host == "kafka.example");
        CHECK(c.log_dirs == std::vector<std::string>{"/a", "/b"});
        CHECK(c.num_partitions == 3);
        CHECK(c.num_network_threads == 2);
        CHECK(c.num_io_threads == 4);
        CHECK(c.socket_request_max_bytes == 1024);
        CHECK(c.log_level == "debug");
        CHECK(c.cluster_id == "abc");
        CHECK(c.produce_batch_validation_strict);
        CHECK(c.connections_max_idle_ms == -1);
        CHECK(c.fetch_max_bytes == 1024);
    }

    TEST_CASE("connection limits: Kafka's defaults, ranges, and no zero per address without overrides") {
        broker_config d = config_from_properties(parse_properties(""));
        CHECK(d.max_connections == 2147483647);
        CHECK(d.max_connections_per_ip == 2147483647);
        CHECK(d.max_connections_per_ip_overrides.empty());
        broker_config c = config_from_properties(parse_properties(
            "max.connections=10\nmax.connections.per.ip=0\nmax.connections.per.ip.overrides=127.0.0.1:3\n"));
        CHECK(c.max_connections == 10);
        CHECK(c.max_connections_per_ip == 0);
        CHECK(c.max_connections_per_ip_overrides == "127.0.0.1:3");
        CHECK_THROWS_WITH_AS(config_from_properties(parse_properties("max.connections.per.ip=0\n")),
                             "max.connections.per.ip can be set to zero only if "
                             "max.connections.per.ip.overrides property is set.",
                             config_error);
        CHECK_THROWS_AS(config_from_properties(parse_properties("max.connections=-1\n")), config_error);
    }

    TEST_CASE("socket buffer sizes: the kernel's autotuning unless set") {
        broker_config d = config_from_properties(parse_properties(""));
        CHECK(d.socket_send_buffer_bytes == -1);
        CHECK(d.socket_receive_buffer_bytes == -1);
        broker_config c = config_from_properties(
            parse_properties("socket.send.buffer.bytes=102400\nsocket.receive.buffer.bytes=65536\n"));
        CHECK(c.socket_send_buffer_bytes == 102400);
        CHECK(c.socket_receive_buffer_bytes == 65536);
        CHECK_THROWS_AS(config_from_properties(parse_properties("socket.send.buffer.bytes=big\n")), config_error);
    }

    TEST_CASE("log.dirs wins over log.dir, which is used alone otherwise") {
        CHECK(config_from_properties(parse_properties("log.dir=/x\nlog.dirs=/y\n")).log_dirs ==
              std::vector<std::string>{"/y"});
        CHECK(config_from_properties(parse_properties("log.dir=/x\n")).log_dirs ==
              std::vector<std::string>{"/x"});
    }

    TEST_CASE("process.roles: both roles, once each, as the one node Eddy runs") {
        CHECK(config_from_properties(parse_properties("process.roles=broker,controller\n")).process_roles.size() == 2);
        CHECK(error_of("process.roles=broker,broker") ==
              "Duplicate role names found in `process.roles`: broker,broker");
        CHECK(error_of("process.roles=broker").find("needs a separate controller quorum") != std::string::npos);
        CHECK(error_of("process.roles=controller").find("needs a separate set of brokers") != std::string::npos);
        CHECK(error_of("process.roles=").find("process.roles") != std::string::npos);
    }

    TEST_CASE("unknown keys are ignored") {
        broker_config c = config_from_properties(parse_properties("some.future.key=1\nnode.id=2\n"));
        CHECK(c.node_id == 2);
    }

    TEST_CASE("bad values name the key") {
        CHECK(error_of("node.id=x").find("node.id") != std::string::npos);
        CHECK(error_of("node.id=-1").find("node.id") != std::string::npos);
        CHECK(error_of("num.partitions=0").find("num.partitions") != std::string::npos);
        CHECK(error_of("fetch.max.bytes=1023").find("fetch.max.bytes") != std::string::npos);
        CHECK(error_of("socket.request.max.bytes=99999999999").find("socket.request.max.bytes") != std::string::npos);
        CHECK(error_of("eddy.log.level=loud").find("eddy.log.level") != std::string::npos);
        CHECK(error_of("eddy.produce.batch.validation=lax").find("eddy.produce.batch.validation") !=
              std::string::npos);
        CHECK(error_of("process.roles=worker").find("process.roles") != std::string::npos);
        CHECK(error_of("listeners=nonsense").find("listeners") != std::string::npos);
        CHECK(error_of("listeners=SSL://:9093").find("SSL") != std::string::npos);
        CHECK(error_of("advertised.listeners=OTHER://h:1").find("advertised.listeners") != std::string::npos);
    }

    TEST_CASE("bad numbers are reported in Kafka's ConfigException words") {
        CHECK(error_of("num.io.threads=0") ==
              "Invalid value 0 for configuration num.io.threads: Value must be at least 1");
        CHECK(error_of("num.network.threads=x") ==
              "Invalid value x for configuration num.network.threads: Not a number of type INT");
        CHECK(error_of("log.retention.check.interval.ms=0") ==
              "Invalid value 0 for configuration log.retention.check.interval.ms: Value must be "
              "at least 1");
        CHECK(error_of("log.flush.offset.checkpoint.interval.ms=-1") ==
              "Invalid value -1 for configuration log.flush.offset.checkpoint.interval.ms: Value "
              "must be at least 0");
    }

    TEST_CASE("the replica manager's thread count and schedule default to Kafka's") {
        broker_config c = config_from_properties(parse_properties(""));
        CHECK(c.num_io_threads == 8);
        CHECK(c.log_retention_check_interval_ms == 300000);
        CHECK(c.log_flush_scheduler_interval_ms == INT64_MAX);
        CHECK(c.log_flush_offset_checkpoint_interval_ms == 60000);
        CHECK(c.log_flush_start_offset_checkpoint_interval_ms == 60000);
        c = config_from_properties(parse_properties(
            "num.io.threads=1\nlog.retention.check.interval.ms=1000\n"
            "log.flush.scheduler.interval.ms=2000\nlog.flush.offset.checkpoint.interval.ms=3000\n"
            "log.flush.start.offset.checkpoint.interval.ms=4000\n"));
        CHECK(c.num_io_threads == 1);
        CHECK(c.log_retention_check_interval_ms == 1000);
        CHECK(c.log_flush_scheduler_interval_ms == 2000);
        CHECK(c.log_flush_offset_checkpoint_interval_ms == 3000);
        CHECK(c.log_flush_start_offset_checkpoint_interval_ms == 4000);
    }

    TEST_CASE("overrides on the command line win over the file") {
        auto dir = std::filesystem::temp_directory_path() / "eddy_config_test";
        std::filesystem::create_directories(dir);
        auto file = dir / "server.properties";
        std::ofstream(file) << "node.id=4\nnum.partitions=2\n";
        std::string path = file.string();
        command_line cmd = parse({path.c_str(), "--override", "node.id=9", "--override", "log.dirs=/tmp/x"});
        CHECK(cmd.config_path == path);
        broker_config c = load_config(cmd);
        CHECK(c.node_id == 9);
        CHECK(c.num_partitions == 2);
        CHECK(c.log_dirs == std::vector<std::string>{"/tmp/x"});
        std::filesystem::remove_all(dir);
    }

    TEST_CASE("broker.id and node.id stand for each other, and must agree") {
        // Kafka's populateSynonyms: the one given is also the other.
        properties only_node = load_properties(parse({"--override", "node.id=3"}));
        CHECK(only_node.at("broker.id") == "3");
        properties only_broker = load_properties(parse({"--override", "broker.id=5"}));
        CHECK(only_broker.at("node.id") == "5");
        CHECK(config_from_properties(only_broker).node_id == 5);
        CHECK(load_properties(parse({})).count("broker.id") == 0);
        CHECK(load_config(parse({"--override", "broker.id=2", "--override", "node.id=2"})).node_id == 2);
        CHECK_THROWS_WITH_AS(load_config(parse({"--override", "broker.id=2", "--override", "node.id=3"})),
                             "You must set `node.id` to the same value as `broker.id`.", config_error);
    }

    TEST_CASE("malformed command lines are rejected") {
        CHECK_THROWS_AS(parse({"--override"}), config_error);
        CHECK_THROWS_AS(parse({"--override", "novalue"}), config_error);
        CHECK_THROWS_AS(parse({"a.properties", "b.properties"}), config_error);
        CHECK_THROWS_AS(parse({"--bogus"}), config_error);
        CHECK_THROWS_AS(load_config(parse({"/nonexistent/server.properties"})), config_error);
        CHECK(parse({"--help"}).help);
    }
}
