// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

namespace {

constexpr int8_t topic_type = 2;
constexpr int8_t broker_type = 4;
enum op : int8_t { set = 0, del = 1, append = 2, subtract = 3 };

struct change {
    std::string name;
    int8_t op;
    std::optional<std::string> value;
};

msg::incremental_alter_configs_request incremental(int8_t type, std::string resource,
                                                  std::vector<change> changes,
                                                  bool validate_only = false) {
    msg::incremental_alter_configs_request r;
    msg::incremental_alter_configs_request::alter_configs_resource res;
    res.resource_type = type;
    res.resource_name = std::move(resource);
    for (auto& c : changes) res.configs.push_back({c.name, c.op, c.value, {}});
    r.resources.push_back(std::move(res));
    r.validate_only = validate_only;
    return r;
}

msg::alter_configs_request legacy(std::string topic,
                                  std::vector<std::pair<std::string, std::string>> configs) {
    msg::alter_configs_request r;
    msg::alter_configs_request::alter_configs_resource res;
    res.resource_type = topic_type;
    res.resource_name = std::move(topic);
    for (auto& [n, v] : configs) res.configs.push_back({n, v, {}});
    r.resources.push_back(std::move(res));
    return r;
}

const metadata::config_map& topic_configs(cluster& k, const std::string& name) {
    return k.image().configs(metadata::resource_type::topic, name);
}

}  // namespace

TEST_SUITE("controller.configs") {
    TEST_CASE("SET and DELETE change a topic's overrides through ConfigRecords") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto r = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"retention.ms", set, "5000"}, {"segment.ms", set, "60000"}}), 1, 0);
        REQUIRE(r.response.responses.size() == 1);
        CHECK(r.response.responses[0].error_code == 0);
        CHECK(r.response.responses[0].resource_name == "t");
        CHECK(r.records.size() == 2);
        k.commit(r.records);
        CHECK(topic_configs(k, "t").at("retention.ms") == "5000");

        auto d = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", del, {}}}), 1, 0);
        REQUIRE(d.records.size() == 1);
        CHECK_FALSE(std::get<msg::config_record>(d.records[0].record).value.has_value());
        k.commit(d.records);
        CHECK(topic_configs(k, "t").count("retention.ms") == 0);
        CHECK(topic_configs(k, "t").at("segment.ms") == "60000");
    }

    TEST_CASE("setting a topic config to the value it has writes no record") {
        cluster k;
        create_and_commit(k, {topic("t")});
        k.commit(k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", set, "5"}}), 1, 0).records);
        auto again = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", set, "5"}}), 1, 0);
        CHECK(again.response.responses[0].error_code == 0);
        CHECK(again.records.empty());
    }

    TEST_CASE("APPEND and SUBTRACT edit list configs, starting from the default") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto a = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"leader.replication.throttled.replicas", append, "0:1,1:1"}}), 1, 0);
        REQUIRE(a.response.responses[0].error_code == 0);
        k.commit(a.records);
        CHECK(topic_configs(k, "t").at("leader.replication.throttled.replicas") == "0:1,1:1");
        auto s = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"leader.replication.throttled.replicas", subtract, "0:1"}}), 1, 0);
        k.commit(s.records);
        CHECK(topic_configs(k, "t").at("leader.replication.throttled.replicas") == "1:1");
        // cleanup.policy defaults to "delete"; appending it again changes nothing.
        auto same = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"cleanup.policy", append, "delete"}}), 1, 0);
        CHECK(same.response.responses[0].error_code == 0);
        k.commit(same.records);
        CHECK(topic_configs(k, "t").at("cleanup.policy") == "delete");
    }

    TEST_CASE("a compacted internal topic takes other changes; a topic can be made compacted") {
        cluster k({{"offsets.topic.replication.factor", "1"}});
        std::vector<std::string> names = {"__consumer_offsets"};
        auto made = k.c.auto_create_topics(names, true, 0);
        REQUIRE(made.response[0].created);
        k.commit(made.records);
        auto r = k.c.incremental_alter_configs(
            incremental(topic_type, "__consumer_offsets", {{"retention.ms", set, "5000"}}), 1, 0);
        CHECK(r.response.responses[0].error_code == 0);
        k.commit(r.records);
        CHECK(topic_configs(k, "__consumer_offsets").at("retention.ms") == "5000");
        CHECK(topic_configs(k, "__consumer_offsets").at("cleanup.policy") == "compact");
        create_and_commit(k, {topic("t")});
        auto c = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"cleanup.policy", append, "compact"}}), 1, 0);
        CHECK(c.response.responses[0].error_code == 0);
        k.commit(c.records);
        CHECK(topic_configs(k, "t").at("cleanup.policy") == "delete,compact");
    }

    TEST_CASE("APPEND to a config that is not a list is INVALID_CONFIG") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto r = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", append, "1"}}), 1, 0);
        CHECK(r.records.empty());
        CHECK(r.response.responses[0].error_code == code(error_code::invalid_config));
        CHECK(r.response.responses[0].error_message ==
              "Can't APPEND to key retention.ms because its type is not LIST.");
    }

    TEST_CASE("invalid values and unknown names are INVALID_CONFIG and nothing is written") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto bad = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"retention.ms", set, "1"}, {"segment.ms", set, "0"}}), 1, 0);
        CHECK(bad.records.empty());
        CHECK(bad.response.responses[0].error_code == code(error_code::invalid_config));
        CHECK(bad.response.responses[0].error_message ==
              "Invalid value 0 for configuration segment.ms: Value must be at least 1");
        auto unknown = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"bogus", set, "1"}}), 1, 0);
        CHECK(unknown.response.responses[0].error_message == "Unknown topic config name: bogus");
        auto ratio = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"min.cleanable.dirty.ratio", set, "1.5"}}), 1, 0);
        CHECK(ratio.response.responses[0].error_message ==
              "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more "
              "than 1");
        auto lag = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"min.compaction.lag.ms", set, "10"}, {"max.compaction.lag.ms", set, "5"}}),
            1, 0);
        CHECK(lag.response.responses[0].error_message ==
              "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
    }

    TEST_CASE("a compaction lag not overridden is the broker's log.cleaner value") {
        // LogConfig.validate lays the overrides over the broker's log config.
        cluster k({{"log.cleaner.max.compaction.lag.ms", "1000"}});
        auto t = topic("lags");
        with_config(t, "min.compaction.lag.ms", "5000");
        auto created = k.c.create_topics(create({t}), 7, 0);
        CHECK(created.records.empty());
        CHECK(created.response.topics.at(0).error_code == code(error_code::invalid_config));
        CHECK(created.response.topics.at(0).error_message ==
              "conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)");
        create_and_commit(k, {topic("t")});
        auto altered = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"min.compaction.lag.ms", set, "1001"}}), 1, 0);
        CHECK(altered.response.responses[0].error_message ==
              "conflict topic config setting min.compaction.lag.ms (1001) > max.compaction.lag.ms (1000)");
        auto within = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"min.compaction.lag.ms", set, "1000"}}), 1, 0);
        CHECK(within.response.responses[0].error_code == 0);
    }

    TEST_CASE("a missing topic is UNKNOWN_TOPIC_OR_PARTITION") {
        cluster k;
        auto r = k.c.incremental_alter_configs(incremental(topic_type, "gone", {{"retention.ms", set, "1"}}), 1, 0);
        CHECK(r.response.responses[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(r.response.responses[0].error_message == "The topic 'gone' does not exist.");
    }

    TEST_CASE("duplicate resources, duplicate keys and null values are INVALID_REQUEST") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto dup_keys = k.c.incremental_alter_configs(
            incremental(topic_type, "t", {{"retention.ms", set, "1"}, {"retention.ms", del, {}}}), 1, 0);
        CHECK(dup_keys.response.responses[0].error_message == "Error due to duplicate config keys");
        auto nulls = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", set, {}}}), 1, 0);
        CHECK(nulls.response.responses[0].error_code == code(error_code::invalid_request));
        CHECK(nulls.response.responses[0].error_message == "Null value not supported for : retention.ms");
        auto req = incremental(topic_type, "t", {{"retention.ms", set, "1"}});
        req.resources.push_back(req.resources[0]);
        auto dup = k.c.incremental_alter_configs(req, 1, 0);
        REQUIRE(dup.response.responses.size() == 2);
        CHECK(dup.response.responses[1].error_message == "Each resource must appear at most once.");
        CHECK(dup.records.empty());
    }

    TEST_CASE("validate_only answers and writes nothing") {
        cluster k;
        create_and_commit(k, {topic("t")});
        auto r = k.c.incremental_alter_configs(incremental(topic_type, "t", {{"retention.ms", set, "1"}}, true), 1, 0);
        CHECK(r.response.responses[0].error_code == 0);
        CHECK(r.records.empty());
    }

    TEST_CASE("legacy AlterConfigs replaces the whole set of overrides") {
        cluster k;
        create_and_commit(k, {topic("t")});
        k.commit(k.c.alter_configs(legacy("t", {{"retention.ms", "1"}, {"segment.ms", "2"}}), 1, 0).records);
        auto r = k.c.alter_configs(legacy("t", {{"segment.ms", "3"}}), 1, 0);
        CHECK(r.response.responses[0].error_code == 0);
        k.commit(r.records);
        CHECK(topic_configs(k, "t").size() == 1);
        CHECK(topic_configs(k, "t").at("segment.ms") == "3");
    }

    TEST_CASE("dynamic broker configs: only dynamic ones, only for this broker or the cluster default") {
        cluster k;
        auto ok = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"log.retention.ms", set, "1000"}}), 1, 0);
        CHECK(ok.response.responses[0].error_code == 0);
        k.commit(ok.records);
        CHECK(k.image().configs(metadata::resource_type::broker, "1").at("log.retention.ms") == "1000");
        auto cluster_default = k.c.incremental_alter_configs(
            incremental(broker_type, "", {{"message.max.bytes", set, "2000000"}}), 1, 0);
        CHECK(cluster_default.response.responses[0].error_code == 0);
        auto static_only = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"num.partitions", set, "3"}}), 1, 0);
        CHECK(static_only.response.responses[0].error_code == code(error_code::invalid_request));
        CHECK(static_only.response.responses[0].error_message ==
              "Cannot update these configs dynamically: Set(num.partitions)");
        auto other = k.c.incremental_alter_configs(
            incremental(broker_type, "2", {{"log.retention.ms", set, "1"}}), 1, 0);
        CHECK(other.response.responses[0].error_message ==
              "Unexpected broker id, expected 1, but received 2");
    }

    TEST_CASE("keystore and truststore configs are set per listener, and only on one broker") {
        cluster k;
        auto bare = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"ssl.keystore.password", set, "secret"}}), 1, 0);
        CHECK(bare.response.responses[0].error_code == code(error_code::invalid_request));
        CHECK(bare.response.responses[0].error_message ==
              "These security configs can be dynamically updated only per-listener using the listener "
              "prefix: Set(ssl.keystore.password)");
        auto prefixed = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"listener.name.plaintext.ssl.keystore.password", set, "secret"}}), 1, 0);
        CHECK(prefixed.response.responses[0].error_code == 0);
        auto cluster_wide = k.c.incremental_alter_configs(
            incremental(broker_type, "", {{"listener.name.plaintext.ssl.keystore.password", set, "secret"}}), 1, 0);
        CHECK(cluster_wide.response.responses[0].error_message ==
              "Cannot update these configs at default cluster level, broker id must be specified: "
              "Set(listener.name.plaintext.ssl.keystore.password)");
        // max.connections is cluster-wide also per listener.
        auto per_listener_limit = k.c.incremental_alter_configs(
            incremental(broker_type, "", {{"listener.name.plaintext.max.connections", set, "10"}}), 1, 0);
        CHECK(per_listener_limit.response.responses[0].error_code == 0);
    }

    TEST_CASE("a thread count moves by at most half down or double up at a time, as Kafka allows") {
        cluster k;
        // num.io.threads is 8 by default: 4..16 may be set, 3 and 17 not, and 0 never.
        auto answer = [&](std::string resource, std::string value) {
            return k.c.incremental_alter_configs(
                incremental(broker_type, std::move(resource), {{"num.io.threads", set, std::move(value)}}), 1, 0);
        };
        CHECK(answer("1", "4").response.responses[0].error_code == 0);
        CHECK(answer("1", "16").response.responses[0].error_code == 0);
        auto low = answer("1", "3");
        CHECK(low.response.responses[0].error_code == code(error_code::invalid_request));
        CHECK(low.response.responses[0].error_message ==
              "Invalid value org.apache.kafka.common.config.ConfigException: Dynamic thread count update "
              "validation failed for num.io.threads=3, value should be at least half the current value 8 "
              "for configuration Invalid dynamic configuration");
        CHECK(answer("", "17").response.responses[0].error_code == code(error_code::invalid_request));
        // After a step to 16 the next may reach 32.
        auto step = answer("1", "16");
        k.commit(step.records);
        CHECK(answer("1", "32").response.responses[0].error_code == 0);
        // The cluster default does not move a broker whose own value is set.
        CHECK(answer("", "64").response.responses[0].error_code == 0);
        auto bg = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"background.threads", set, "21"}}), 1, 0);
        CHECK(bg.response.responses[0].error_code == code(error_code::invalid_request));
    }

    TEST_CASE("a broker config name Kafka does not know is kept, and described as a secret") {
        // Kafka's DynamicBrokerConfig refuses only known names that are not dynamic; others
        // are custom configs (a plugin's, say).
        cluster k;
        auto custom = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"custom.plugin.key", set, "on"}}), 1, 0);
        CHECK(custom.response.responses[0].error_code == 0);
        k.commit(custom.records);
        CHECK(k.image().configs(metadata::resource_type::broker, "1").at("custom.plugin.key") == "on");
        msg::describe_configs_request describe;
        describe.resources.push_back({broker_type, "1", std::vector<std::string>{"custom.plugin.key"}, {}});
        auto described = k.c.describe_configs(describe, 4);
        REQUIRE(described.results[0].configs.size() == 1);
        const auto& entry = described.results[0].configs[0];
        CHECK(entry.is_sensitive);
        CHECK_FALSE(entry.value.has_value());
        CHECK(entry.config_source == 2);  // DYNAMIC_BROKER_CONFIG
        CHECK(entry.config_type == 0);    // UNKNOWN

        auto removed = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"custom.plugin.key", del, std::nullopt}}), 1, 0);
        CHECK(removed.response.responses[0].error_code == 0);
        k.commit(removed.records);
        CHECK(k.image().configs(metadata::resource_type::broker, "1").count("custom.plugin.key") == 0);

        // A list edit needs the config's definition.
        auto append_unknown = k.c.incremental_alter_configs(
            incremental(broker_type, "1", {{"custom.plugin.key", append, "a"}}), 1, 0);
        CHECK(append_unknown.response.responses[0].error_code == code(error_code::invalid_config));
        CHECK(append_unknown.response.responses[0].error_message == "Unknown config name: custom.plugin.key");
    }
}
