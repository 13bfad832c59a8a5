// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <map>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

namespace {
const msg::create_topics_response::creatable_topic_result& only(
    const msg::create_topics_response& r) {
    REQUIRE(r.topics.size() == 1);
    return r.topics.front();
}
}  // namespace

TEST_SUITE("controller.create_topics") {
    TEST_CASE("a new topic gets a TopicRecord, its ConfigRecords, then one PartitionRecord per partition") {
        cluster k;
        auto t = topic("orders", 3, 1);
        with_config(t, "retention.ms", "1000");
        auto r = k.c.create_topics(create({t}), 7, 0);
        REQUIRE(r.records.size() == 5);
        CHECK(std::holds_alternative<msg::topic_record>(r.records[0].record));
        REQUIRE(std::holds_alternative<msg::config_record>(r.records[1].record));
        const auto& cfg = std::get<msg::config_record>(r.records[1].record);
        CHECK(cfg.resource_type == 2);
        CHECK(cfg.resource_name == "orders");
        CHECK(cfg.name == "retention.ms");
        CHECK(cfg.value == "1000");
        for (int i = 0; i < 3; ++i) {
            REQUIRE(std::holds_alternative<msg::partition_record>(r.records[2 + i].record));
            const auto& p = std::get<msg::partition_record>(r.records[2 + i].record);
            CHECK(p.partition_id == i);
            CHECK(p.replicas == std::vector<int32_t>{1});
            CHECK(p.isr == std::vector<int32_t>{1});
            CHECK(p.leader == 1);
            CHECK(p.leader_epoch == 0);
            CHECK(p.partition_epoch == 0);
            CHECK(p.directories.size() == 1);  // the broker's only log dir
            CHECK(p.directories[0] == k.image().broker(1)->log_dirs[0]);
            CHECK(r.records[2 + i].version == 1);
        }
        const auto& res = only(r.response);
        CHECK(res.error_code == 0);
        CHECK_FALSE(res.error_message.has_value());
        CHECK(res.num_partitions == 3);
        CHECK(res.replication_factor == 1);
        CHECK_FALSE(res.topic_id.is_zero());
        CHECK(res.topic_id == std::get<msg::topic_record>(r.records[0].record).topic_id);
        REQUIRE(res.configs.has_value());
        bool saw_retention = false;
        for (const auto& c : *res.configs) {
            if (c.name == "retention.ms") {
                saw_retention = true;
                CHECK(c.value == "1000");
                CHECK(c.config_source == 1);  // DYNAMIC_TOPIC_CONFIG
            }
            if (c.name == "segment.bytes") CHECK(c.config_source == 5);  // DEFAULT_CONFIG
        }
        CHECK(saw_retention);
        // The controller changes only on replay.
        CHECK(k.image().topic("orders") == nullptr);
        k.commit(r.records);
        REQUIRE(k.image().topic("orders") != nullptr);
        CHECK(k.image().topic("orders")->partitions.size() == 3);
        CHECK(k.image().configs(metadata::resource_type::topic, "orders").at("retention.ms") == "1000");
    }

    TEST_CASE("v5+ configs name the broker layer that sets any synonym as the source") {
        // KRaft's KafkaConfigSchema: log.retention.hours alone in server.properties makes
        // retention.ms a static broker config (DescribeConfigs would say DEFAULT_CONFIG).
        cluster k({{"log.retention.hours", "1"}});
        auto r = k.c.create_topics(create({topic("hours")}), 7, 0);
        const auto& res = only(r.response);
        REQUIRE(res.configs.has_value());
        bool saw_retention = false;
        for (const auto& c : *res.configs) {
            if (c.name != "retention.ms") continue;
            saw_retention = true;
            CHECK(c.value == "3600000");
            CHECK(c.config_source == 4);  // STATIC_BROKER_CONFIG
        }
        CHECK(saw_retention);
    }

    TEST_CASE("v5+ configs echo an override as the client spelled it") {
        cluster k;
        auto spec = topic("spelled");
        with_config(spec, "preallocate", "TRUE");
        with_config(spec, "retention.ms", " 1000");
        auto r = k.c.create_topics(create({spec}), 7, 0);
        const auto& res = only(r.response);
        CHECK(res.error_code == 0);
        REQUIRE(res.configs.has_value());
        std::map<std::string, std::optional<std::string>> values;
        for (const auto& c : *res.configs) values[c.name] = c.value;
        CHECK(values.at("preallocate") == "TRUE");
        CHECK(values.at("retention.ms") == " 1000");
        CHECK(values.at("segment.bytes") == "1073741824");
    }

    TEST_CASE("validate_only answers as a real creation would and writes no records") {
        cluster k;
        auto r = k.c.create_topics(create({topic("orders", 2, 1)}, true), 7, 0);
        CHECK(r.records.empty());
        CHECK(only(r.response).error_code == 0);
        CHECK(only(r.response).num_partitions == 2);
        auto bad = k.c.create_topics(create({topic("orders", 0, 1)}, true), 7, 0);
        CHECK(only(bad.response).error_code == code(error_code::invalid_partitions));
    }

    TEST_CASE("-1 partitions and replication factor take num.partitions and default.replication.factor") {
        cluster k({{"num.partitions", "4"}, {"default.replication.factor", "2"}}, 2);
        auto res = create_and_commit(k, {topic("events", -1, -1)});
        CHECK(only(res).error_code == 0);
        CHECK(only(res).num_partitions == 4);
        CHECK(only(res).replication_factor == 2);
        for (const auto& [id, p] : k.image().topic("events")->partitions) {
            CHECK(p.replicas.size() == 2);
            CHECK(p.replicas[0] != p.replicas[1]);
        }
    }

    TEST_CASE("leaders are spread over the brokers") {
        cluster k({}, 3);
        create_and_commit(k, {topic("spread", 6, 2)});
        std::map<int32_t, int> leaders;
        for (const auto& [id, p] : k.image().topic("spread")->partitions) ++leaders[p.leader];
        CHECK(leaders.size() == 3);
        for (const auto& [broker, n] : leaders) CHECK(n == 2);
    }

    TEST_CASE("an existing topic is TOPIC_ALREADY_EXISTS") {
        cluster k;
        create_and_commit(k, {topic("orders")});
        auto r = k.c.create_topics(create({topic("orders")}), 7, 0);
        CHECK(r.records.empty());
        CHECK(only(r.response).error_code == code(error_code::topic_already_exists));
        CHECK(only(r.response).error_message == "Topic 'orders' already exists.");
    }

    TEST_CASE("illegal topic names are INVALID_TOPIC_EXCEPTION with Kafka's reason") {
        cluster k;
        auto check = [&](std::string name, std::string message) {
            auto r = k.c.create_topics(create({topic(name)}), 7, 0);
            CHECK(r.records.empty());
            CHECK(only(r.response).error_code == code(error_code::invalid_topic_exception));
            CHECK(only(r.response).error_message == message);
        };
        check("", "Topic name is invalid: the empty string is not allowed");
        check(".", "Topic name is invalid: '.' is not allowed");
        check("..", "Topic name is invalid: '..' is not allowed");
        check("a b", "Topic name is invalid: 'a b' contains one or more characters other than "
                     "ASCII alphanumerics, '.', '_' and '-'");
        std::string long_name(250, 'x');
        check(long_name, "Topic name is invalid: the length of '" + long_name +
                             "' is longer than the max allowed length 249");
        auto ok = k.c.create_topics(create({topic(std::string(249, 'x'))}), 7, 0);
        CHECK(only(ok.response).error_code == 0);
    }

    TEST_CASE("a name that differs from an existing one only by '.' versus '_' collides") {
        cluster k;
        create_and_commit(k, {topic("metrics.cpu")});
        auto r = k.c.create_topics(create({topic("metrics_cpu")}), 7, 0);
        CHECK(only(r.response).error_code == code(error_code::invalid_topic_exception));
        CHECK(only(r.response).error_message ==
              "Topic 'metrics_cpu' collides with existing topic: metrics.cpu");
    }

    TEST_CASE("a partition count of zero or below -1 is INVALID_PARTITIONS") {
        cluster k;
        for (int32_t n : {0, -2}) {
            auto r = k.c.create_topics(create({topic("t", n, 1)}), 7, 0);
            CHECK(only(r.response).error_code == code(error_code::invalid_partitions));
            CHECK(only(r.response).error_message ==
                  "Number of partitions was set to an invalid non-positive value.");
        }
    }

    TEST_CASE("a replication factor of zero or above the live brokers is INVALID_REPLICATION_FACTOR") {
        cluster k;
        auto zero = k.c.create_topics(create({topic("t", 1, 0)}), 7, 0);
        CHECK(only(zero.response).error_code == code(error_code::invalid_replication_factor));
        CHECK(only(zero.response).error_message ==
              "Replication factor must be larger than 0, or -1 to use the default value.");
        auto three = k.c.create_topics(create({topic("t", 1, 3)}), 7, 0);
        CHECK(three.records.empty());
        CHECK(only(three.response).error_code == code(error_code::invalid_replication_factor));
        CHECK(only(three.response).error_message ==
              "Unable to replicate the partition 3 time(s): The target replication factor of 3 "
              "cannot be reached because only 1 broker(s) are registered.");
    }

    TEST_CASE("with every broker fenced no topic can be placed") {
        cluster k({}, 0);
        k.add_broker(1, false);
        auto r = k.c.create_topics(create({topic("t", 1, 1)}), 7, 0);
        CHECK(only(r.response).error_code == code(error_code::invalid_replication_factor));
        CHECK(only(r.response).error_message ==
              "Unable to replicate the partition 1 time(s): All brokers are currently fenced.");
    }

    TEST_CASE("invalid configs are INVALID_CONFIG with Kafka's message") {
        cluster k;
        auto check = [&](std::string name, std::optional<std::string> value, std::string message) {
            auto t = topic("t");
            with_config(t, name, value);
            auto r = k.c.create_topics(create({t}), 7, 0);
            CHECK(r.records.empty());
            CHECK(only(r.response).error_code == code(error_code::invalid_config));
            CHECK(only(r.response).error_message == message);
        };
        check("no.such.config", "1", "Unknown topic config name: no.such.config");
        check("retention.ms", "abc",
              "Invalid value abc for configuration retention.ms: Not a number of type LONG");
        check("retention.ms", "-5",
              "Invalid value -5 for configuration retention.ms: Value must be at least -1");
        check("segment.bytes", "13",
              "Invalid value 13 for configuration segment.bytes: Value must be at least 14");
        check("message.timestamp.type", "Never",
              "Invalid value Never for configuration message.timestamp.type: String must be one "
              "of: CreateTime, LogAppendTime");
        check("cleanup.policy", "delete,shred",
              "Invalid value shred for configuration cleanup.policy: String must be one of: "
              "compact, delete");
        check("preallocate", "yes",
              "Invalid value yes for configuration preallocate: Expected value to be either true "
              "or false");
        check("max.message.bytes", "99999999999",
              "Invalid value 99999999999 for configuration max.message.bytes: Not a number of "
              "type INT");
        check("min.insync.replicas", std::nullopt,
              "Null value not supported for topic configs: min.insync.replicas");
    }

    TEST_CASE("cleanup.policy=compact and compact,delete make compacted topics") {
        cluster k;
        auto t = topic("t");
        with_config(t, "cleanup.policy", "compact");
        auto u = topic("u");
        with_config(u, "cleanup.policy", "compact,delete");
        auto r = k.c.create_topics(create({t, u}), 7, 0);
        REQUIRE(r.response.topics.size() == 2);
        CHECK(r.response.topics[0].error_code == 0);
        CHECK(r.response.topics[1].error_code == 0);
    }

    TEST_CASE("the acting topic configs accept their valid values") {
        cluster k;
        auto t = topic("t");
        for (auto [n, v] : std::vector<std::pair<std::string, std::string>>{
                 {"retention.ms", "-1"},
                 {"retention.bytes", "-1"},
                 {"segment.bytes", "1048576"},
                 {"segment.ms", "3600000"},
                 {"segment.index.bytes", "4096"},
                 {"cleanup.policy", "delete"},
                 {"max.message.bytes", "2000000"},
                 {"message.timestamp.type", "LogAppendTime"},
                 {"message.timestamp.before.max.ms", "1000"},
                 {"message.timestamp.after.max.ms", "1000"},
                 {"min.insync.replicas", "1"},
                 {"file.delete.delay.ms", "0"},
                 {"index.interval.bytes", "100"},
                 {"flush.messages", "1"},
                 {"flush.ms", "1000"}}) {
            with_config(t, n, v);
        }
        auto r = k.c.create_topics(create({t}), 7, 0);
        CHECK(only(r.response).error_code == 0);
        CHECK(count_records<msg::config_record>(r.records) == 15);
    }

    TEST_CASE("a name given twice and __cluster_metadata are INVALID_REQUEST") {
        cluster k;
        auto r = k.c.create_topics(create({topic("a"), topic("a"), topic("__cluster_metadata"), topic("b")}),
                                   7, 0);
        std::map<std::string, msg::create_topics_response::creatable_topic_result> by_name;
        for (const auto& t : r.response.topics) by_name[t.name] = t;
        REQUIRE(r.response.topics.size() == 3);
        CHECK(by_name["a"].error_code == code(error_code::invalid_request));
        CHECK(by_name["a"].error_message == "Duplicate topic name.");
        CHECK(by_name["__cluster_metadata"].error_code == code(error_code::invalid_request));
        CHECK(by_name["__cluster_metadata"].error_message ==
              "Creation of internal topic __cluster_metadata is prohibited.");
        CHECK(by_name["b"].error_code == 0);
        CHECK(count_records<msg::topic_record>(r.records) == 1);
    }

    TEST_CASE("a timeout of 0 or less times out every entry and creates nothing") {
        cluster k;
        for (bool validate_only : {false, true}) {
            auto req = create({topic("a"), topic("a"), topic("b")}, validate_only);
            req.timeout_ms = 0;
            auto r = k.c.create_topics(req, 7, 0);
            CHECK(r.records.empty());
            // One result per entry as sent, duplicates included (CreateTopicsRequest.getErrorResponse).
            REQUIRE(r.response.topics.size() == 3);
            for (const auto& t : r.response.topics) {
                CHECK(t.error_code == code(error_code::request_timed_out));
                CHECK_FALSE(t.error_message);
                CHECK(t.num_partitions == -1);
            }
        }
        auto late = create({topic("c")});
        late.timeout_ms = -1;
        CHECK(only(k.c.create_topics(late, 7, 0).response).error_code == code(error_code::request_timed_out));
        // Nothing left to queue once ControllerApis has refused every entry itself.
        auto refused = create({topic("a"), topic("a"), topic("__cluster_metadata")});
        refused.timeout_ms = 0;
        for (const auto& t : k.c.create_topics(refused, 7, 0).response.topics)
            CHECK(t.error_code == code(error_code::invalid_request));
    }

    TEST_CASE("a manual assignment places the replicas as given") {
        cluster k({}, 3);
        auto t = topic("m", -1, -1);
        t.assignments = {{0, {2, 3}, {}}, {1, {3, 1}, {}}};
        auto r = k.c.create_topics(create({t}), 7, 0);
        REQUIRE(only(r.response).error_code == 0);
        CHECK(only(r.response).num_partitions == 2);
        CHECK(only(r.response).replication_factor == 2);
        k.commit(r.records);
        CHECK(k.image().topic("m")->partitions.at(0).replicas == std::vector<int32_t>{2, 3});
        CHECK(k.image().topic("m")->partitions.at(1).leader == 3);
    }

    TEST_CASE("bad manual assignments are refused with Kafka's errors") {
        cluster k({}, 2);
        auto check = [&](msg::create_topics_request::creatable_topic t, error_code e,
                         std::string message) {
            auto r = k.c.create_topics(create({t}), 7, 0);
            CHECK(only(r.response).error_code == code(e));
            CHECK(only(r.response).error_message == message);
        };
        auto t = topic("m", -1, -1);
        t.assignments = {{0, {1, 9}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "The manual partition assignment includes broker 9, but no such broker is "
              "registered.");
        t.assignments = {{0, {1, 1}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "The manual partition assignment includes the broker 1 more than once.");
        t.assignments = {{0, {1, 2}, {}}, {1, {1}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "The manual partition assignment includes a partition with 1 replica(s), but this "
              "is not consistent with previous partitions, which have 2 replica(s).");
        t.assignments = {{0, {1}, {}}, {2, {2}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "partitions should be a consecutive 0-based integer sequence");
        t.assignments = {{0, {1}, {}}, {0, {2}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "Found multiple manual partition assignments for partition 0");
        t.assignments = {{0, {}, {}}};
        check(t, error_code::invalid_replica_assignment,
              "The manual partition assignment includes an empty replica list.");
        auto with_rf = topic("m", -1, 2);
        with_rf.assignments = {{0, {1}, {}}};
        check(with_rf, error_code::invalid_request,
              "A manual partition assignment was specified, but replication factor was not set "
              "to -1.");
    }

    TEST_CASE("a request that would write more than 10000 records is POLICY_VIOLATION") {
        cluster k;
        // 10000 partitions, within Kafka's partition bound, and two TopicRecords.
        auto r = k.c.create_topics(create({topic("huge", 5000, 1), topic("half", 5000, 1)}), 7, 0);
        CHECK(r.records.empty());
        REQUIRE(r.response.topics.size() == 2);
        for (const auto& t : r.response.topics) {
            CHECK(t.error_code == code(error_code::policy_violation));
            CHECK(t.error_message == "Unable to perform excessively large batch operation.");
        }
    }

    TEST_CASE("topics asking for more than 10000 partitions in all are refused before placement") {
        // ReplicationControlManager.validateTotalNumberOfPartitions: every entry of the
        // request, an invalid name and a duplicate included, gets POLICY_VIOLATION.
        cluster k;
        auto check_refused = [&](const std::vector<msg::create_topics_request::creatable_topic>& topics) {
            auto r = k.c.create_topics(create(topics), 7, 0);
            CHECK(r.records.empty());
            REQUIRE(r.response.topics.size() == topics.size());
            for (const auto& t : r.response.topics) {
                CHECK(t.error_code == code(error_code::policy_violation));
                CHECK(t.error_message == "Excessively large number of partitions per request.");
            }
        };
        check_refused({topic("huge", 10000, 1), topic("small", -1)});  // num.partitions (1) for -1
        check_refused({topic("max", 2147483647, 1)});
        // Two counts whose int sum wraps below zero in Kafka's check; ControllerApis' own
        // refusals (a duplicate) are not counted, but answered the same.
        check_refused({topic("a", 2147483647, 1), topic("b", 2147483647, 1), topic("bad/name", 1, 1),
                       topic("d", 1, 1), topic("d", 1, 1)});
        // 9999 partitions and the TopicRecord: the most one request may write.
        auto ok = k.c.create_topics(create({topic("largest", 9999, 1)}), 7, 0);
        CHECK(ok.response.topics.at(0).error_code == 0);
    }

    TEST_CASE("topic ids are distinct and never print with a leading '-'") {
        cluster k;
        std::vector<msg::create_topics_request::creatable_topic> topics;
        for (int i = 0; i < 200; ++i) topics.push_back(topic("t" + std::to_string(i)));
        auto res = create_and_commit(k, topics);
        std::set<std::string> ids;
        for (const auto& t : res.topics) {
            std::string text = codec::to_string(t.topic_id);
            CHECK(text[0] != '-');
            ids.insert(text);
        }
        CHECK(ids.size() == 200);
    }
}
