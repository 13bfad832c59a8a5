// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The admin apis end to end: a broker in this process with its metadata log on disk, spoken
// to over loopback with generated messages; restarts replay the log.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <map>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

#include "eddy/error_code.h"
#include "eddy/msg/alter_configs_request.h"
#include "eddy/msg/alter_configs_response.h"
#include "eddy/msg/create_acls_request.h"
#include "eddy/msg/create_acls_response.h"
#include "eddy/msg/delete_acls_request.h"
#include "eddy/msg/delete_acls_response.h"
#include "eddy/msg/describe_acls_request.h"
#include "eddy/msg/describe_acls_response.h"
#include "eddy/msg/create_partitions_request.h"
#include "eddy/msg/create_partitions_response.h"
#include "eddy/msg/create_topics_request.h"
#include "eddy/msg/create_topics_response.h"
#include "eddy/msg/delete_topics_request.h"
#include "eddy/msg/delete_topics_response.h"
#include "eddy/msg/describe_configs_request.h"
#include "eddy/msg/describe_configs_response.h"
#include "eddy/msg/describe_cluster_request.h"
#include "eddy/msg/describe_cluster_response.h"
#include "eddy/msg/describe_log_dirs_request.h"
#include "eddy/msg/describe_log_dirs_response.h"
#include "eddy/msg/describe_quorum_request.h"
#include "eddy/msg/describe_quorum_response.h"
#include "eddy/msg/describe_topic_partitions_request.h"
#include "eddy/msg/describe_topic_partitions_response.h"
#include "eddy/msg/incremental_alter_configs_request.h"
#include "eddy/msg/incremental_alter_configs_response.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "common/logging.h"
#include "kafka_client.h"
#include "server/broker_server.h"
#include "error_code_value.h"

using namespace eddy;
namespace fs = std::filesystem;

namespace {

// A broker on 127.0.0.1 (an OS-chosen port) over a data dir that outlives restarts; the
// dir is removed by the destructor.
struct admin_broker {
    fs::path dir = fs::temp_directory_path() / ("eddy_admin_" + std::to_string(::getpid()));
    std::string extra;
    std::unique_ptr<server::broker_server> server;
    uint16_t port = 0;

    explicit admin_broker(std::string extra_props = "") : extra(std::move(extra_props)) {
        fs::remove_all(dir);
        start();
    }
    ~admin_broker() {
        stop();
        fs::remove_all(dir);
    }
    void start() {
        config::properties props = config::parse_properties(
            "listeners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=2\nlog.dirs=" + dir.string() +
            "\n" + extra);
        server = std::make_unique<server::broker_server>(config::config_from_properties(props), props);
        port = server->start().at(0).endpoint.port();
    }
    void stop() {
        if (server) server->stop();
        server.reset();
    }
    void restart() {
        stop();
        start();
    }
};

msg::create_topics_request create(const std::string& name, int32_t partitions,
                                  std::vector<std::pair<std::string, std::string>> configs = {}) {
    msg::create_topics_request r;
    msg::create_topics_request::creatable_topic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    for (auto& [k, v] : configs) t.configs.push_back({k, v, {}});
    r.topics.push_back(std::move(t));
    r.timeout_ms = 30000;
    return r;
}

msg::metadata_request metadata_for(std::vector<std::string> names, bool auto_create = false) {
    msg::metadata_request r;
    r.topics.emplace();
    for (auto& n : names) r.topics->push_back({codec::uuid{}, n, {}});
    r.allow_auto_topic_creation = auto_create;
    return r;
}

// Metadata v12 without topics: the brokers, cluster id and controller as clients see them.
msg::metadata_response cluster_view(test::kafka_client& c) {
    auto md = c.call<msg::metadata_response>(metadata_for({}), 12);
    REQUIRE(md);
    return md->body;
}

msg::describe_configs_request describe_topic(const std::string& name, std::vector<std::string> keys) {
    msg::describe_configs_request r;
    r.resources.push_back({2, name, std::move(keys), {}});
    return r;
}

std::optional<std::string> config_value(const msg::describe_configs_response& resp, const std::string& name) {
    for (const auto& res : resp.results)
        for (const auto& c : res.configs)
            if (c.name == name) return c.value;
    return std::nullopt;
}

}  // namespace

TEST_SUITE("broker.admin") {
    TEST_CASE("a created topic is listed by Metadata with its partitions, leader and topic id") {
        admin_broker b;
        test::kafka_client c(b.port);
        auto created = c.call<msg::create_topics_response>(create("orders", 3), 7);
        REQUIRE(created);
        REQUIRE(created->body.topics.size() == 1);
        const auto& t = created->body.topics[0];
        CHECK(t.error_code == 0);
        CHECK(t.num_partitions == 3);
        CHECK(t.replication_factor == 1);
        CHECK_FALSE(t.topic_id.is_zero());

        auto md = c.call<msg::metadata_response>(metadata_for({"orders"}), 12);
        REQUIRE(md);
        REQUIRE(md->body.topics.size() == 1);
        const auto& mt = md->body.topics[0];
        CHECK(mt.error_code == 0);
        CHECK(mt.topic_id == t.topic_id);
        CHECK_FALSE(mt.is_internal);
        REQUIRE(mt.partitions.size() == 3);
        for (int32_t p = 0; p < 3; ++p) {
            CHECK(mt.partitions[p].partition_index == p);
            CHECK(mt.partitions[p].leader_id == 1);
            CHECK(mt.partitions[p].replica_nodes == std::vector<int32_t>{1});
            CHECK(mt.partitions[p].isr_nodes == std::vector<int32_t>{1});
            CHECK(mt.partitions[p].offline_replicas.empty());
        }
        // All topics (a null list) include it too; v1 has no topic ids.
        msg::metadata_request all;
        all.topics = std::nullopt;
        auto all_md = c.call<msg::metadata_response>(all, 1);
        REQUIRE(all_md);
        REQUIRE(all_md->body.topics.size() == 1);
        CHECK(all_md->body.topics[0].name == "orders");
        REQUIRE(all_md->body.brokers.size() == 1);
        CHECK(all_md->body.brokers[0].port == b.port);
    }

    TEST_CASE("CreateTopics refuses an existing topic, a bad name and validate_only creates nothing") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("dup", 1), 5));
        auto again = c.call<msg::create_topics_response>(create("dup", 1), 5);
        REQUIRE(again);
        CHECK(again->body.topics[0].error_code == code(error_code::topic_already_exists));
        auto bad = c.call<msg::create_topics_response>(create("bad name", 1), 5);
        REQUIRE(bad);
        CHECK(bad->body.topics[0].error_code == code(error_code::invalid_topic_exception));
        auto dry = create("dry", 2);
        dry.validate_only = true;
        auto v = c.call<msg::create_topics_response>(dry, 5);
        REQUIRE(v);
        CHECK(v->body.topics[0].error_code == 0);
        auto md = c.call<msg::metadata_response>(metadata_for({"dry"}), 9);
        REQUIRE(md);
        CHECK(md->body.topics[0].error_code == code(error_code::unknown_topic_or_partition));
    }

    TEST_CASE("DescribeConfigs shows overrides and defaults; both alter apis change them") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("cfg", 1, {{"retention.ms", "1000"}}), 7));
        auto d = c.call<msg::describe_configs_response>(describe_topic("cfg", {"retention.ms", "cleanup.policy"}), 4);
        REQUIRE(d);
        REQUIRE(d->body.results.size() == 1);
        CHECK(d->body.results[0].error_code == 0);
        CHECK(config_value(d->body, "retention.ms") == "1000");
        CHECK(config_value(d->body, "cleanup.policy") == "delete");

        msg::incremental_alter_configs_request inc;
        inc.resources.push_back({2, "cfg", {{"retention.ms", 0, "2000", {}}}, {}});
        auto ir = c.call<msg::incremental_alter_configs_response>(inc, 1);
        REQUIRE(ir);
        CHECK(ir->body.responses[0].error_code == 0);
        d = c.call<msg::describe_configs_response>(describe_topic("cfg", {"retention.ms"}), 4);
        CHECK(config_value(d->body, "retention.ms") == "2000");

        msg::alter_configs_request alter;
        alter.resources.push_back({2, "cfg", {{"segment.ms", "60000", {}}}, {}});
        auto ar = c.call<msg::alter_configs_response>(alter, 2);
        REQUIRE(ar);
        CHECK(ar->body.responses[0].error_code == 0);
        d = c.call<msg::describe_configs_response>(describe_topic("cfg", {"segment.ms", "retention.ms"}), 4);
        CHECK(config_value(d->body, "segment.ms") == "60000");
        // AlterConfigs replaces the whole set: retention.ms is back to the default.
        CHECK(config_value(d->body, "retention.ms") == "604800000");

        msg::incremental_alter_configs_request bad;
        bad.resources.push_back({2, "cfg", {{"retention.ms", 0, "soon", {}}}, {}});
        auto br = c.call<msg::incremental_alter_configs_response>(bad, 1);
        REQUIRE(br);
        CHECK(br->body.responses[0].error_code == code(error_code::invalid_config));
        auto unknown = c.call<msg::describe_configs_response>(describe_topic("nope", {}), 4);
        REQUIRE(unknown);
        CHECK(unknown->body.results[0].error_code == code(error_code::unknown_topic_or_partition));

        // A resource type Kafka does not know fails every resource of the request.
        msg::describe_configs_request odd = describe_topic("cfg", {"retention.ms"});
        odd.resources.push_back({9, "x", std::nullopt, {}});
        auto o = c.call<msg::describe_configs_response>(odd, 4);
        REQUIRE(o);
        REQUIRE(o->body.results.size() == 2);
        for (const auto& r : o->body.results) {
            CHECK(r.error_code == code(error_code::invalid_request));
            CHECK(r.configs.empty());
        }
        CHECK(o->body.results[1].resource_type == 9);
    }

    TEST_CASE("preallocate=true reserves a new segment's disk blocks without changing its size") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(
            create("prealloc", 1, {{"preallocate", "true"}, {"segment.bytes", "4194304"}}), 7));
        REQUIRE(c.call<msg::create_topics_response>(create("plain", 1, {{"segment.bytes", "4194304"}}), 7));
        // Disk blocks of the first segment of `topic`-0, once the broker has created it.
        auto blocks_and_size = [&](const std::string& topic) {
            const std::string path = (b.dir / (topic + "-0") / "00000000000000000000.log").string();
            struct stat st {};
            for (int i = 0; i < 200 && ::stat(path.c_str(), &st) != 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            REQUIRE(::stat(path.c_str(), &st) == 0);
            return std::pair<uint64_t, uint64_t>(static_cast<uint64_t>(st.st_blocks) * 512,
                                                 static_cast<uint64_t>(st.st_size));
        };
        const auto [reserved, size] = blocks_and_size("prealloc");
        CHECK(size == 0);
        if (reserved == 0) {
            MESSAGE("this file system does not reserve blocks (fallocate): nothing to check");
        } else {
            CHECK(reserved >= 4194304);
        }
        const auto [plain_blocks, plain_size] = blocks_and_size("plain");
        CHECK(plain_size == 0);
        CHECK(plain_blocks == 0);
    }

    TEST_CASE("BROKER_LOGGER: this broker's loggers are described and their levels set and unset") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("logcfg", 1), 7));
        auto describe_loggers = [&](std::string name, std::vector<std::string> keys) {
            msg::describe_configs_request r;
            r.resources.push_back({8, std::move(name), std::move(keys), {}});
            auto d = c.call<msg::describe_configs_response>(r, 4);
            REQUIRE(d);
            REQUIRE(d->body.results.size() == 1);
            return d->body.results[0];
        };
        auto alter_loggers = [&](std::string name, std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>> ops,
                                 bool validate_only = false) {
            msg::incremental_alter_configs_request r;
            r.validate_only = validate_only;
            msg::incremental_alter_configs_request::alter_configs_resource res;
            res.resource_type = 8;
            res.resource_name = std::move(name);
            for (auto& [k, op, v] : ops) res.configs.push_back({k, op, v, {}});
            r.resources.push_back(std::move(res));
            auto a = c.call<msg::incremental_alter_configs_response>(r, 1);
            REQUIRE(a);
            REQUIRE(a->body.responses.size() == 1);
            return a->body.responses[0];
        };
        auto level_of = [&](const std::string& logger) {
            auto r = describe_loggers("1", {logger});
            REQUIRE(r.configs.size() == 1);
            CHECK(r.configs[0].config_source == 6);  // DYNAMIC_BROKER_LOGGER_CONFIG
            return r.configs[0].value;
        };

        // Every logger, root first; each component's logger exists before it logs.
        auto all = describe_loggers("1", {});
        CHECK(all.error_code == 0);
        REQUIRE(!all.configs.empty());
        CHECK(all.configs[0].name == "root");
        std::vector<std::string> names;
        for (const auto& e : all.configs) names.push_back(e.name);
        for (const char* n : {"kafka", "kafka.wire", "storage", "controller"}) {
            CHECK(std::find(names.begin(), names.end(), n) != names.end());
        }
        const std::optional<std::string> root_level = level_of("root");
        CHECK(level_of("kafka.wire") == root_level);

        // A level set on "kafka" reaches "kafka.wire", which has none of its own; unsetting
        // it brings both back to root's.
        CHECK(alter_loggers("1", {{"kafka", 0, "ERROR"}}).error_code == 0);
        CHECK(level_of("kafka") == "ERROR");
        CHECK(level_of("kafka.wire") == "ERROR");
        CHECK(get_logger("kafka.wire")->level() == spdlog::level::err);
        CHECK(alter_loggers("1", {{"kafka", 1, std::nullopt}}).error_code == 0);
        CHECK(level_of("kafka") == root_level);
        CHECK(get_logger("kafka.wire")->level() == get_logger("storage")->level());

        // validate_only checks and changes nothing.
        CHECK(alter_loggers("1", {{"storage", 0, "FATAL"}}, true).error_code == 0);
        CHECK(level_of("storage") == root_level);

        // Kafka's refusals (RuntimeLoggerManager, ConfigAdminManager.preprocess).
        CHECK(alter_loggers("1", {{"storage", 0, "debug"}}).error_code == code(error_code::invalid_config));
        CHECK(alter_loggers("1", {{"no.such.logger", 0, "INFO"}}).error_code == code(error_code::invalid_config));
        CHECK(alter_loggers("1", {{"root", 1, std::nullopt}}).error_code == code(error_code::invalid_request));
        CHECK(alter_loggers("1", {{"storage", 2, "INFO"}}).error_code == code(error_code::invalid_request));
        CHECK(alter_loggers("1", {{"storage", 0, std::nullopt}}).error_code == code(error_code::invalid_request));
        CHECK(alter_loggers("2", {{"storage", 0, "INFO"}}).error_code == code(error_code::invalid_request));
        CHECK(alter_loggers("x", {{"storage", 0, "INFO"}}).error_code == code(error_code::invalid_request));
        // A refused change leaves the resource's other changes undone too.
        CHECK(alter_loggers("1", {{"storage", 0, "WARN"}, {"nope", 0, "INFO"}}).error_code ==
              code(error_code::invalid_config));
        CHECK(level_of("storage") == root_level);
        CHECK(describe_loggers("", {}).error_code == code(error_code::invalid_request));
        CHECK(describe_loggers("2", {}).error_code == code(error_code::invalid_request));

        // Beside topic and broker resources, in one request, each answered in its place.
        msg::describe_configs_request mixed;
        mixed.resources.push_back({2, "logcfg", std::vector<std::string>{"retention.ms"}, {}});
        mixed.resources.push_back({8, "1", std::vector<std::string>{"root"}, {}});
        mixed.resources.push_back({4, "1", std::vector<std::string>{"log.retention.hours"}, {}});
        auto m = c.call<msg::describe_configs_response>(mixed, 4);
        REQUIRE(m);
        REQUIRE(m->body.results.size() == 3);
        CHECK(m->body.results[0].resource_type == 2);
        CHECK(m->body.results[1].resource_type == 8);
        CHECK(m->body.results[2].resource_type == 4);
        CHECK(config_value(m->body, "retention.ms") == "604800000");
        CHECK(config_value(m->body, "log.retention.hours") == "168");
        CHECK(config_value(m->body, "root") == root_level);

        msg::incremental_alter_configs_request both;
        both.resources.push_back({8, "1", {{"storage", 0, "WARN", {}}}, {}});
        both.resources.push_back({2, "logcfg", {{"retention.ms", 0, "5000", {}}}, {}});
        both.resources.push_back({8, "1", {{"txn", 0, "WARN", {}}}, {}});
        auto ab = c.call<msg::incremental_alter_configs_response>(both, 1);
        REQUIRE(ab);
        REQUIRE(ab->body.responses.size() == 3);
        CHECK(ab->body.responses[0].error_code == code(error_code::invalid_request));  // named twice
        CHECK(ab->body.responses[1].error_code == 0);
        CHECK(ab->body.responses[1].resource_type == 2);
        CHECK(ab->body.responses[2].error_code == code(error_code::invalid_request));
        CHECK(level_of("storage") == root_level);

        // The legacy AlterConfigs has no BROKER_LOGGER (Kafka: "Unknown resource type 8").
        msg::alter_configs_request legacy;
        legacy.resources.push_back({8, "1", {{"storage", "WARN", {}}}, {}});
        auto lr = c.call<msg::alter_configs_response>(legacy, 2);
        REQUIRE(lr);
        CHECK(lr->body.responses[0].error_code == code(error_code::invalid_request));
    }

    TEST_CASE("DescribeLogDirs answers for each log dir with the partitions it holds, in every version") {
        const fs::path base = fs::temp_directory_path() / ("eddy_admin_" + std::to_string(::getpid()));
        const std::string one = (base / "one").string(), two = (base / "two").string();
        admin_broker b("log.dirs=" + one + "," + two + "\n");
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("ld-a", 4), 7));
        REQUIRE(c.call<msg::create_topics_response>(create("ld-b", 1), 7));
        for (int16_t v = 0; v <= 4; ++v) {
            CAPTURE(v);
            msg::describe_log_dirs_request all;
            all.topics = std::nullopt;  // every partition
            auto r = c.call<msg::describe_log_dirs_response>(all, v);
            REQUIRE(r);
            CHECK(r->body.error_code == 0);
            REQUIRE(r->body.results.size() == 2);
            std::map<std::pair<std::string, int32_t>, std::string> where;
            for (const auto& result : r->body.results) {
                CHECK(result.error_code == 0);
                CHECK((result.log_dir == one || result.log_dir == two));
                if (v >= 4) {  // the file system's size, from v4 on
                    CHECK(result.total_bytes > 0);
                    CHECK(result.usable_bytes >= 0);
                    CHECK(result.usable_bytes <= result.total_bytes);
                }
                for (const auto& t : result.topics) {
                    for (const auto& p : t.partitions) {
                        CHECK(p.partition_size == 0);  // nothing produced
                        CHECK(p.offset_lag == 0);
                        CHECK_FALSE(p.is_future_key);
                        CHECK(where.emplace(std::pair{t.name, p.partition_index}, result.log_dir).second);
                    }
                }
            }
            CHECK(where.size() == 5);
            for (const auto& [tp, dir] : where)
                CHECK(fs::exists(fs::path(dir) / (tp.first + "-" + std::to_string(tp.second))));

            // Named partitions: one that exists; one the topic lacks and an unknown topic are left out.
            msg::describe_log_dirs_request some;
            some.topics.emplace();
            some.topics->push_back({"ld-a", {1, 9}, {}});
            some.topics->push_back({"nope", {0}, {}});
            auto named = c.call<msg::describe_log_dirs_response>(some, v);
            REQUIRE(named);
            REQUIRE(named->body.results.size() == 2);
            size_t listed = 0;
            for (const auto& result : named->body.results) {
                for (const auto& t : result.topics) {
                    CHECK(t.name == "ld-a");
                    REQUIRE(t.partitions.size() == 1);
                    CHECK(t.partitions[0].partition_index == 1);
                    CHECK(result.log_dir == where.at({"ld-a", 1}));
                    ++listed;
                }
            }
            CHECK(listed == 1);
        }
    }

    TEST_CASE("DescribeCluster lists the brokers, cluster id and a live controller, in every version") {
        admin_broker b;
        test::kafka_client c(b.port);
        const msg::metadata_response md = cluster_view(c);
        const int32_t self = md.controller_id;
        for (int16_t v = 0; v <= 1; ++v) {
            CAPTURE(v);
            msg::describe_cluster_request plain;
            auto r = c.call<msg::describe_cluster_response>(plain, v);
            REQUIRE(r);
            CHECK(r->body.error_code == 0);
            CHECK_FALSE(r->body.error_message);
            CHECK(r->body.cluster_id == md.cluster_id);
            CHECK(r->body.controller_id == self);
            REQUIRE(r->body.brokers.size() == 1);
            CHECK(r->body.brokers[0].broker_id == self);
            CHECK(r->body.brokers[0].host == "127.0.0.1");
            CHECK(r->body.brokers[0].port == b.port);
            CHECK_FALSE(r->body.brokers[0].rack);
            CHECK(r->body.cluster_authorized_operations == INT32_MIN);  // not asked for
            if (v >= 1) CHECK(r->body.endpoint_type == 1);               // BROKER

            msg::describe_cluster_request with_ops;
            with_ops.include_cluster_authorized_operations = true;
            auto ops = c.call<msg::describe_cluster_response>(with_ops, v);
            REQUIRE(ops);
            // No authorizer: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS,
            // ALTER_CONFIGS and IDEMPOTENT_WRITE, as in Metadata.
            CHECK(ops->body.cluster_authorized_operations == 0x1fa0);
        }

        // Kafka's rules for the endpoint type (v1): a broker is not a controller endpoint.
        msg::describe_cluster_request to_controller;
        to_controller.endpoint_type = 2;
        auto mismatched = c.call<msg::describe_cluster_response>(to_controller, 1);
        REQUIRE(mismatched);
        CHECK(mismatched->body.error_code == static_cast<int16_t>(error_code::mismatched_endpoint_type));
        CHECK(mismatched->body.brokers.empty());
        msg::describe_cluster_request unknown;
        unknown.endpoint_type = 7;
        auto unsupported = c.call<msg::describe_cluster_response>(unknown, 1);
        REQUIRE(unsupported);
        CHECK(unsupported->body.error_code == static_cast<int16_t>(error_code::unsupported_endpoint_type));
        CHECK(unsupported->body.error_message == "Unsupported endpoint type 7");
    }

    TEST_CASE("DescribeTopicPartitions describes topics sorted by name, a page at a time") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("dtp-a", 3), 7));
        REQUIRE(c.call<msg::create_topics_response>(create("dtp-b", 2), 7));
        const msg::metadata_response md = cluster_view(c);
        const int32_t self = md.controller_id;
        using dtp_request = msg::describe_topic_partitions_request;
        using dtp_response = msg::describe_topic_partitions_response;
        auto ask = [&](std::vector<std::string> names, int32_t limit,
                       std::optional<std::pair<std::string, int32_t>> cursor = std::nullopt) {
            dtp_request r;
            for (auto& n : names) r.topics.push_back({n, {}});
            r.response_partition_limit = limit;
            if (cursor) r.cursor = dtp_request::cursor_data{cursor->first, cursor->second, {}};
            auto resp = c.call<dtp_response>(r, 0);
            REQUIRE(resp);
            return resp->body;
        };
        // What a page holds: "topic:partition" for each partition, "topic!error" for an errored topic.
        auto listed = [](const dtp_response& r) {
            std::vector<std::string> out;
            for (const auto& t : r.topics) {
                if (t.error_code != 0) out.push_back(t.name.value_or("") + "!" + std::to_string(t.error_code));
                for (const auto& p : t.partitions) out.push_back(t.name.value_or("") + ":" + std::to_string(p.partition_index));
            }
            return out;
        };
        auto cursor_of = [](const dtp_response& r) {
            return r.next_cursor ? r.next_cursor->topic_name + ":" + std::to_string(r.next_cursor->partition_index)
                                 : std::string("none");
        };

        const auto whole = ask({"nope", "dtp-b", "bad name", "dtp-a"}, 2000);
        CHECK(listed(whole) == std::vector<std::string>{"bad name!17", "dtp-a:0", "dtp-a:1", "dtp-a:2",
                                                        "dtp-b:0", "dtp-b:1", "nope!3"});
        CHECK(cursor_of(whole) == "none");
        const auto& a = whole.topics[1];
        for (const auto& t : md.topics)
            if (t.name == "dtp-a") CHECK(a.topic_id == t.topic_id);
        CHECK_FALSE(a.is_internal);
        CHECK(a.topic_authorized_operations == 0xdf8);  // every topic operation: no authorizer
        for (const auto& p : a.partitions) {
            CHECK(p.error_code == 0);
            CHECK(p.leader_id == self);
            CHECK(p.leader_epoch >= 0);
            CHECK(p.replica_nodes == std::vector<int32_t>{self});
            CHECK(p.isr_nodes == std::vector<int32_t>{self});
            CHECK(p.offline_replicas.empty());
            CHECK(p.eligible_leader_replicas == std::vector<int32_t>{});
        }

        // Pages of two partitions, each picking up at the cursor of the last.
        auto page = ask({"dtp-a", "dtp-b"}, 2);
        CHECK(listed(page) == std::vector<std::string>{"dtp-a:0", "dtp-a:1"});
        CHECK(cursor_of(page) == "dtp-a:2");
        page = ask({"dtp-a", "dtp-b"}, 2, std::pair{std::string("dtp-a"), 2});
        CHECK(listed(page) == std::vector<std::string>{"dtp-a:2", "dtp-b:0"});
        CHECK(cursor_of(page) == "dtp-b:1");
        page = ask({"dtp-a", "dtp-b"}, 2, std::pair{std::string("dtp-b"), 1});
        CHECK(listed(page) == std::vector<std::string>{"dtp-b:1"});
        CHECK(cursor_of(page) == "none");
        // A page that ends with a topic points at the start of the next one.
        page = ask({"dtp-a", "dtp-b"}, 3);
        CHECK(cursor_of(page) == "dtp-b:0");

        // No names: every topic, internal ones included, without errors.
        const auto all = ask({}, 2000);
        std::vector<std::string> names;
        for (const auto& t : all.topics) names.push_back(t.name.value_or(""));
        CHECK(std::is_sorted(names.begin(), names.end()));
        CHECK(std::count(names.begin(), names.end(), "dtp-a") == 1);
        CHECK(std::count(names.begin(), names.end(), "dtp-b") == 1);

        // Kafka's refusals: a cursor outside the names asked, a negative cursor partition.
        CHECK(listed(ask({"dtp-b"}, 10, std::pair{std::string("dtp-a"), 0})) == std::vector<std::string>{"dtp-b!42"});
        CHECK(listed(ask({"dtp-a"}, 10, std::pair{std::string("dtp-a"), -1})) == std::vector<std::string>{"dtp-a!42"});
    }

    TEST_CASE("DescribeTopicPartitions answers at most max.request.partition.size.limit partitions") {
        admin_broker b("max.request.partition.size.limit=2\n");
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("capped", 3), 7));
        msg::describe_topic_partitions_request r;
        r.topics.push_back({"capped", {}});
        r.response_partition_limit = 2000;  // the client's default; the broker's limit wins
        auto resp = c.call<msg::describe_topic_partitions_response>(r, 0);
        REQUIRE(resp);
        REQUIRE(resp->body.topics.size() == 1);
        CHECK(resp->body.topics[0].partitions.size() == 2);
        REQUIRE(resp->body.next_cursor);
        CHECK(resp->body.next_cursor->topic_name == "capped");
        CHECK(resp->body.next_cursor->partition_index == 2);
    }

    TEST_CASE("DescribeQuorum reports the one-voter metadata quorum, in every version") {
        admin_broker b;
        test::kafka_client c(b.port);
        const int32_t self = cluster_view(c).controller_id;
        msg::describe_quorum_request q;
        q.topics.push_back({"__cluster_metadata", {{0, {}}}, {}});

        int64_t before = -1;
        int32_t epoch = -1;
        for (int16_t v = 0; v <= 2; ++v) {
            CAPTURE(v);
            auto r = c.call<msg::describe_quorum_response>(q, v);
            REQUIRE(r);
            CHECK(r->body.error_code == 0);
            REQUIRE(r->body.topics.size() == 1);
            CHECK(r->body.topics[0].topic_name == "__cluster_metadata");
            REQUIRE(r->body.topics[0].partitions.size() == 1);
            const auto& p = r->body.topics[0].partitions[0];
            CHECK(p.error_code == 0);
            CHECK(p.partition_index == 0);
            CHECK(p.leader_id == self);
            CHECK(p.leader_epoch >= 1);
            CHECK(p.high_watermark > 0);
            REQUIRE(p.current_voters.size() == 1);
            const auto& voter = p.current_voters[0];
            CHECK(voter.replica_id == self);
            // One voter is its own majority: everything it wrote is committed.
            CHECK(voter.log_end_offset == p.high_watermark);
            CHECK(voter.replica_directory_id == codec::uuid{});
            CHECK(p.observers.empty());
            if (v >= 1) {
                CHECK(voter.last_fetch_timestamp > 0);
                CHECK(voter.last_caught_up_timestamp == voter.last_fetch_timestamp);
            }
            if (v >= 2) {
                REQUIRE(r->body.nodes.size() == 1);
                CHECK(r->body.nodes[0].node_id == self);
            }
            before = p.high_watermark;
            epoch = p.leader_epoch;
        }

        // A topic is records in the metadata log: the high watermark moves past them.
        REQUIRE(c.call<msg::create_topics_response>(create("quorum-t", 2), 7));
        auto after = c.call<msg::describe_quorum_response>(q, 2);
        REQUIRE(after);
        CHECK(after->body.topics[0].partitions[0].high_watermark > before);

        // A restart elects the node again, in the next epoch.
        b.restart();
        test::kafka_client again(b.port);
        auto restarted = again.call<msg::describe_quorum_response>(q, 2);
        REQUIRE(restarted);
        CHECK(restarted->body.topics[0].partitions[0].leader_epoch == epoch + 1);

        // Only the metadata partition, asked for alone, is described (Kafka's rule).
        msg::describe_quorum_request other;
        other.topics.push_back({"orders", {{0, {}}, {1, {}}}, {}});
        auto refused = again.call<msg::describe_quorum_response>(other, 2);
        REQUIRE(refused);
        CHECK(refused->body.error_code == 0);
        REQUIRE(refused->body.topics.size() == 1);
        REQUIRE(refused->body.topics[0].partitions.size() == 2);
        for (const auto& p : refused->body.topics[0].partitions) {
            CHECK(p.error_code == static_cast<int16_t>(error_code::unknown_topic_or_partition));
        }
        msg::describe_quorum_request two = q;
        two.topics[0].partitions.push_back({1, {}});
        auto both = again.call<msg::describe_quorum_response>(two, 2);
        REQUIRE(both);
        REQUIRE(both->body.topics[0].partitions.size() == 2);
        CHECK(both->body.topics[0].partitions[0].error_code ==
              static_cast<int16_t>(error_code::unknown_topic_or_partition));
    }

    TEST_CASE("the ACL apis answer SECURITY_DISABLED, as Kafka without an authorizer, in every version") {
        admin_broker b;
        test::kafka_client c(b.port);
        const auto disabled = static_cast<int16_t>(error_code::security_disabled);
        for (int16_t v = 0; v <= 3; ++v) {
            CAPTURE(v);
            msg::describe_acls_request describe;
            describe.resource_type_filter = 2;  // TOPIC
            describe.pattern_type_filter = v == 0 ? 3 : 1;  // LITERAL (all v0 has), ANY
            describe.operation = 1;                          // ANY
            describe.permission_type = 1;                    // ANY
            auto described = c.call<msg::describe_acls_response>(describe, v);
            REQUIRE(described);
            CHECK(described->body.error_code == disabled);
            CHECK(described->body.error_message == "No Authorizer is configured on the broker");
            CHECK(described->body.resources.empty());

            msg::create_acls_request create;
            create.creations.resize(2);
            for (auto& a : create.creations) {
                a.resource_type = 2;
                a.resource_name = "t";
                a.principal = "User:alice";
                a.host = "*";
                a.operation = 3;        // READ
                a.permission_type = 3;  // ALLOW
            }
            auto created = c.call<msg::create_acls_response>(create, v);
            REQUIRE(created);
            REQUIRE(created->body.results.size() == 2);
            for (const auto& r : created->body.results) {
                CHECK(r.error_code == disabled);
                CHECK(r.error_message == "No Authorizer is configured.");
            }

            msg::delete_acls_request remove;
            remove.filters.resize(3);
            for (auto& f : remove.filters) {
                f.resource_type_filter = 2;
                f.pattern_type_filter = 3;
                f.operation = 1;
                f.permission_type = 1;
            }
            auto removed = c.call<msg::delete_acls_response>(remove, v);
            REQUIRE(removed);
            REQUIRE(removed->body.filter_results.size() == 3);
            for (const auto& r : removed->body.filter_results) {
                CHECK(r.error_code == disabled);
                CHECK(r.matching_acls.empty());
            }
        }
    }

    TEST_CASE("CreatePartitions adds partitions and refuses to shrink") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("grow", 1), 7));
        msg::create_partitions_request r;
        r.topics.push_back({"grow", 4, std::nullopt, {}});
        r.timeout_ms = 30000;
        auto resp = c.call<msg::create_partitions_response>(r, 3);
        REQUIRE(resp);
        CHECK(resp->body.results[0].error_code == 0);
        auto md = c.call<msg::metadata_response>(metadata_for({"grow"}), 12);
        CHECK(md->body.topics[0].partitions.size() == 4);
        r.topics[0].count = 2;
        resp = c.call<msg::create_partitions_response>(r, 3);
        CHECK(resp->body.results[0].error_code == code(error_code::invalid_partitions));
    }

    TEST_CASE("DeleteTopics removes topics by name and by id") {
        admin_broker b;
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::create_topics_response>(create("gone-a", 1), 7));
        auto made = c.call<msg::create_topics_response>(create("gone-b", 1), 7);
        REQUIRE(made);
        msg::delete_topics_request by_name;
        by_name.topic_names = {"gone-a", "never"};
        by_name.timeout_ms = 30000;
        auto r1 = c.call<msg::delete_topics_response>(by_name, 5);
        REQUIRE(r1);
        REQUIRE(r1->body.responses.size() == 2);
        // Kafka lists the failures first.
        for (const auto& res : r1->body.responses) {
            CAPTURE(*res.name);
            CHECK(res.error_code == (res.name == "gone-a" ? 0 : code(error_code::unknown_topic_or_partition)));
        }
        msg::delete_topics_request by_id;
        by_id.topics.push_back({std::nullopt, made->body.topics[0].topic_id, {}});
        by_id.timeout_ms = 30000;
        auto r2 = c.call<msg::delete_topics_response>(by_id, 6);
        REQUIRE(r2);
        CHECK(r2->body.responses[0].error_code == 0);
        CHECK(r2->body.responses[0].name == "gone-b");
        msg::metadata_request all;
        all.topics = std::nullopt;
        auto md = c.call<msg::metadata_response>(all, 12);
        REQUIRE(md);
        CHECK(md->body.topics.empty());
    }

    TEST_CASE("Metadata auto-creates a topic when allowed, and the next request sees it") {
        admin_broker b("num.partitions=2\n");
        test::kafka_client c(b.port);
        auto off = c.call<msg::metadata_response>(metadata_for({"lazy"}, false), 9);
        REQUIRE(off);
        CHECK(off->body.topics[0].error_code == code(error_code::unknown_topic_or_partition));
        auto first = c.call<msg::metadata_response>(metadata_for({"lazy"}, true), 9);
        REQUIRE(first);
        // Kafka's KRaft broker answers before the topic exists; the client asks again.
        CHECK(first->body.topics[0].error_code == code(error_code::unknown_topic_or_partition));
        auto second = c.call<msg::metadata_response>(metadata_for({"lazy"}, false), 9);
        REQUIRE(second);
        CHECK(second->body.topics[0].error_code == 0);
        CHECK(second->body.topics[0].partitions.size() == 2);
        // v0-v3 always allow auto-creation.
        auto old = c.call<msg::metadata_response>(metadata_for({"legacy"}), 1);
        REQUIRE(old);
        CHECK(c.call<msg::metadata_response>(metadata_for({"legacy"}), 1)->body.topics[0].error_code == 0);
    }

    TEST_CASE("auto.create.topics.enable=false stops Metadata from creating topics") {
        admin_broker b("auto.create.topics.enable=false\n");
        test::kafka_client c(b.port);
        REQUIRE(c.call<msg::metadata_response>(metadata_for({"lazy"}, true), 9));
        auto again = c.call<msg::metadata_response>(metadata_for({"lazy"}, true), 9);
        REQUIRE(again);
        CHECK(again->body.topics[0].error_code == code(error_code::unknown_topic_or_partition));
    }

    TEST_CASE("topics, their configs and the cluster id survive a restart") {
        admin_broker b;
        std::string cluster_id = b.server->cluster_id();
        codec::uuid id;
        {
            test::kafka_client c(b.port);
            auto made = c.call<msg::create_topics_response>(create("kept", 2, {{"retention.ms", "5000"}}), 7);
            REQUIRE(made);
            id = made->body.topics[0].topic_id;
            msg::delete_topics_request del;
            REQUIRE(c.call<msg::create_topics_response>(create("dropped", 1), 7));
            del.topic_names = {"dropped"};
            del.timeout_ms = 30000;
            REQUIRE(c.call<msg::delete_topics_response>(del, 5));
        }
        b.stop();
        // Kafka's clean-shutdown marker (KIP-966), with the epoch the broker registered with.
        std::ifstream marker(b.dir / ".kafka_cleanshutdown");
        std::string text((std::istreambuf_iterator<char>(marker)), std::istreambuf_iterator<char>());
        const std::string head = "{\"version\":0,\"brokerEpoch\":";
        REQUIRE(text.rfind(head, 0) == 0);
        CHECK(std::stoll(text.substr(head.size())) >= 0);
        CHECK(text.back() == '}');
        b.start();
        CHECK(b.server->cluster_id() == cluster_id);
        test::kafka_client c(b.port);
        msg::metadata_request all;
        all.topics = std::nullopt;
        auto md = c.call<msg::metadata_response>(all, 12);
        REQUIRE(md);
        REQUIRE(md->body.topics.size() == 1);
        CHECK(md->body.topics[0].name == "kept");
        CHECK(md->body.topics[0].topic_id == id);
        CHECK(md->body.topics[0].partitions.size() == 2);
        CHECK(md->body.cluster_id == cluster_id);
        // The broker re-registered with its new port.
        REQUIRE(md->body.brokers.size() == 1);
        CHECK(md->body.brokers[0].port == b.port);
        auto d = c.call<msg::describe_configs_response>(describe_topic("kept", {"retention.ms"}), 4);
        CHECK(config_value(d->body, "retention.ms") == "5000");
        // A second restart replays the re-registration too.
        b.restart();
        test::kafka_client c2(b.port);
        CHECK(c2.call<msg::metadata_response>(metadata_for({"kept"}), 12)->body.topics[0].error_code == 0);
    }

    TEST_CASE("the metadata log and quorum-state sit where Kafka keeps them") {
        admin_broker b;
        const fs::path partition = b.dir / "__cluster_metadata-0";
        CHECK(fs::exists(partition / "00000000000000000000.log"));
        CHECK(fs::exists(partition / "quorum-state"));
        CHECK(fs::exists(b.dir / "meta.properties"));
        b.restart();
        CHECK(fs::exists(partition / "quorum-state"));
    }
}
