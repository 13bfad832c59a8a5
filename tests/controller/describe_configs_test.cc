// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <string>

#include "cluster_fixture.h"
#include "common/hardware_threads.h"

using namespace eddy;
using namespace eddy::controller_test;

namespace {

using result_t = msg::describe_configs_response::describe_configs_result;
using entry_t = msg::describe_configs_response::describe_configs_resource_result;

constexpr int8_t topic_type = 2;
constexpr int8_t broker_type = 4;
constexpr int8_t source_topic = 1;
constexpr int8_t source_dynamic_broker = 2;
constexpr int8_t source_static = 4;
constexpr int8_t source_default = 5;

msg::describe_configs_request describe(int8_t type, std::string name,
                                       std::optional<std::vector<std::string>> keys = std::nullopt,
                                       bool synonyms = true) {
    msg::describe_configs_request r;
    msg::describe_configs_request::describe_configs_resource res;
    res.resource_type = type;
    res.resource_name = std::move(name);
    res.configuration_keys = std::move(keys);
    r.resources.push_back(std::move(res));
    r.include_synonyms = synonyms;
    return r;
}

const entry_t& find(const result_t& r, const std::string& name) {
    for (const auto& e : r.configs) {
        if (e.name == name) return e;
    }
    FAIL("no config " << name);
    static entry_t none;
    return none;
}

}  // namespace

TEST_SUITE("controller.describe_configs") {
    TEST_CASE("a topic lists every topic config with its value, source, type and synonyms") {
        cluster k({{"log.segment.bytes", "2000000"}});
        auto t = topic("t");
        with_config(t, "retention.ms", "1000");
        create_and_commit(k, {t});
        auto resp = k.c.describe_configs(describe(topic_type, "t"), 4);
        REQUIRE(resp.results.size() == 1);
        const result_t& r = resp.results[0];
        CHECK(r.error_code == 0);
        CHECK(r.resource_name == "t");
        CHECK(r.resource_type == topic_type);
        CHECK(r.configs.size() == 36);

        const entry_t& retention = find(r, "retention.ms");
        CHECK(retention.value == "1000");
        CHECK(retention.config_source == source_topic);
        CHECK(retention.config_type == 5);  // LONG
        CHECK_FALSE(retention.is_sensitive);
        CHECK_FALSE(retention.read_only);
        REQUIRE(retention.synonyms.size() == 1);
        CHECK(retention.synonyms[0].name == "retention.ms");
        CHECK(retention.synonyms[0].source == source_topic);

        // From server.properties: STATIC_BROKER_CONFIG, then Kafka's default as a synonym.
        const entry_t& segment = find(r, "segment.bytes");
        CHECK(segment.value == "2000000");
        CHECK(segment.config_source == source_static);
        CHECK(segment.config_type == 3);  // INT
        REQUIRE(segment.synonyms.size() == 2);
        CHECK(segment.synonyms[0].name == "log.segment.bytes");
        CHECK(segment.synonyms[0].value == "2000000");
        CHECK(segment.synonyms[0].source == source_static);
        CHECK(segment.synonyms[1].value == "1073741824");
        CHECK(segment.synonyms[1].source == source_default);

        const entry_t& policy = find(r, "cleanup.policy");
        CHECK(policy.value == "delete");
        CHECK(policy.config_source == source_default);
        CHECK(policy.config_type == 7);  // LIST
        REQUIRE(policy.synonyms.size() == 1);
        CHECK(policy.synonyms[0].name == "log.cleanup.policy");

        const entry_t& max_message = find(r, "max.message.bytes");
        CHECK(max_message.value == "1048588");
        CHECK(max_message.synonyms.at(0).name == "message.max.bytes");
    }

    TEST_CASE("log.retention.hours in server.properties sets a topic's retention.ms") {
        cluster k({{"log.retention.hours", "1"}});
        create_and_commit(k, {topic("t")});
        auto r = k.c.describe_configs(describe(topic_type, "t", std::vector<std::string>{"retention.ms"}), 4);
        REQUIRE(r.results[0].configs.size() == 1);
        CHECK(r.results[0].configs[0].value == "3600000");
    }

    TEST_CASE("without include_synonyms no synonyms are sent, and keys filter the configs") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto r = k.c.describe_configs(
            describe(topic_type, "t", std::vector<std::string>{"segment.bytes", "flush.ms"}, false), 4);
        REQUIRE(r.results[0].configs.size() == 2);
        for (const auto& e : r.results[0].configs) CHECK(e.synonyms.empty());
        CHECK(find(r.results[0], "flush.ms").value == "9223372036854775807");
    }

    TEST_CASE("a dynamic broker config shows as the topic default's source") {
        cluster k;
        create_and_commit(k, {topic("t")});
        msg::incremental_alter_configs_request req;
        req.resources.push_back({broker_type, "1", {{"log.segment.bytes", 0, "5000000", {}}}, {}});
        k.commit(k.c.incremental_alter_configs(req, 1, 0).records);
        auto r = k.c.describe_configs(describe(topic_type, "t", std::vector<std::string>{"segment.bytes"}), 4);
        const entry_t& e = r.results[0].configs.at(0);
        CHECK(e.value == "5000000");
        CHECK(e.config_source == source_dynamic_broker);
    }

    TEST_CASE("an unknown topic is UNKNOWN_TOPIC_OR_PARTITION and a bad name INVALID_TOPIC_EXCEPTION") {
        cluster k;
        auto r = k.c.describe_configs(describe(topic_type, "nope"), 4);
        CHECK(r.results[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(r.results[0].configs.empty());
        auto bad = k.c.describe_configs(describe(topic_type, "a/b"), 4);
        CHECK(bad.results[0].error_code == code(error_code::invalid_topic_exception));
    }

    TEST_CASE("this broker lists its configs with read-only flags, sources and secrets hidden") {
        cluster k({{"num.partitions", "3"}, {"sasl.jaas.config", "secret"}, {"custom.key", "x"}});
        auto r = k.c.describe_configs(describe(broker_type, "1"), 4);
        REQUIRE(r.results[0].error_code == 0);
        const entry_t& partitions = find(r.results[0], "num.partitions");
        CHECK(partitions.value == "3");
        CHECK(partitions.read_only);
        CHECK(partitions.config_source == source_static);
        REQUIRE(partitions.synonyms.size() == 2);
        CHECK(partitions.synonyms[1].source == source_default);
        const entry_t& jaas = find(r.results[0], "sasl.jaas.config");
        CHECK(jaas.is_sensitive);
        CHECK_FALSE(jaas.value.has_value());
        CHECK(jaas.config_type == 9);  // PASSWORD
        const entry_t& custom = find(r.results[0], "custom.key");
        CHECK(custom.is_sensitive);  // untyped configs are treated as secrets, as in Kafka
        const entry_t& retention = find(r.results[0], "log.retention.ms");
        CHECK_FALSE(retention.read_only);
        CHECK_FALSE(retention.value.has_value());
        CHECK(find(r.results[0], "log.retention.hours").value == "168");
        // What a node started without a file runs as, not Kafka's defaults.
        CHECK(find(r.results[0], "node.id").value == "1");
        CHECK(find(r.results[0], "broker.id").value == "1");
        CHECK(find(r.results[0], "process.roles").value == "broker,controller");
        CHECK(find(r.results[0], "process.roles").config_source == source_default);
        // One network thread per hardware thread (net::server), not Kafka's 3.
        CHECK(find(r.results[0], "num.network.threads").value == std::to_string(hardware_threads()));
    }

    TEST_CASE("another broker's id is INVALID_REQUEST; the empty name describes cluster defaults") {
        cluster k;
        auto other = k.c.describe_configs(describe(broker_type, "2"), 4);
        CHECK(other.results[0].error_code == code(error_code::invalid_request));
        CHECK(other.results[0].error_message ==
              "Unexpected broker id, expected 1 or empty string, but received 2");
        auto empty = k.c.describe_configs(describe(broker_type, ""), 4);
        CHECK(empty.results[0].error_code == 0);
        CHECK(empty.results[0].configs.empty());
        msg::incremental_alter_configs_request req;
        req.resources.push_back({broker_type, "", {{"message.max.bytes", 0, "2000000", {}}}, {}});
        k.commit(k.c.incremental_alter_configs(req, 1, 0).records);
        auto after = k.c.describe_configs(describe(broker_type, ""), 4);
        REQUIRE(after.results[0].configs.size() == 1);
        CHECK(after.results[0].configs[0].value == "2000000");
        CHECK(after.results[0].configs[0].config_source == 3);  // DYNAMIC_DEFAULT_BROKER_CONFIG
    }

    TEST_CASE("include_documentation gives an empty text, otherwise null") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto req = describe(topic_type, "t", std::vector<std::string>{"retention.ms"});
        CHECK_FALSE(k.c.describe_configs(req, 4).results[0].configs[0].documentation.has_value());
        req.include_documentation = true;
        CHECK(k.c.describe_configs(req, 4).results[0].configs[0].documentation == "");
    }
}
