// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The controller's operations fed randomly mutated requests (tests/support/request_mutator.h):
// CreateTopics, CreatePartitions, DeleteTopics, IncrementalAlterConfigs, AlterConfigs and
// DescribeConfigs, in every version the broker serves. Each mutation that still decodes must
// be answered with a response that encodes in that version, and the records of each one
// must replay onto the image (they are committed, so later mutations meet the state earlier
// ones left). Counts such as 2147483647 partitions must be refused, not placed.
#include <doctest/doctest.h>

#include "cluster_fixture.h"
#include "request_mutator.h"

using namespace eddy;
using namespace eddy::controller_test;
using eddy::test::check_encodes;
using eddy::test::request_mutator;

namespace {

constexpr int rounds_per_api = 1500;

// A cluster of three brokers with topic "m" (3 partitions, a retention override) and "n".
struct seeded_cluster {
    cluster k{{}, 3};

    seeded_cluster() {
        auto m = topic("m", 3, 2);
        m.configs.push_back({"retention.ms", "100000", {}});
        create_and_commit(k, {m, topic("n", 1, 1)});
    }

    // Commits what an operation wrote (the fixture requires it to replay); a large one (a
    // mutated count let through) is left out, so the image stays small for later rounds.
    void commit(const std::vector<versioned_record>& records) {
        if (records.size() <= 200) k.commit(records);
    }
};

template <class Req, class Handle>
void exercise(uint32_t seed_value, const Req& seed, int16_t min_version, int16_t max_version, Handle handle) {
    request_mutator m(seed_value);
    const int handled = eddy::test::exercise_mutations(m, seed, min_version, max_version, rounds_per_api, handle);
    CHECK(handled > rounds_per_api / 5);
}

// For an operation that writes: `op(controller, request, version)` gives its result, whose
// response must encode and whose records are committed.
template <class Req, class Op>
void exercise_writes(seeded_cluster& s, uint32_t seed_value, const Req& seed, int16_t min_version,
                     int16_t max_version, Op op) {
    exercise(seed_value, seed, min_version, max_version, [&](Req req, int16_t v) {
        auto r = op(s.k.c, req, v);
        check_encodes(r.response, v);
        s.commit(r.records);
    });
}

}  // namespace

TEST_SUITE("controller.request_mutation") {
    TEST_CASE("mutated CreateTopics requests are answered, and their records replay") {
        seeded_cluster s;
        auto with_configs = topic("c1", 3, 2);
        with_configs.configs.push_back({"cleanup.policy", "delete", {}});
        with_configs.configs.push_back({"segment.bytes", "1048576", {}});
        auto manual = topic("c2", -1, -1);
        manual.assignments = {{0, {1, 2}, {}}, {1, {2, 3}, {}}};
        auto seed = create({with_configs, manual, topic("m", 1, 1), topic("c3", -1, -1)});
        exercise_writes(s, 44, seed, 0, 7,
                        [](auto& c, const auto& req, int16_t v) { return c.create_topics(req, v, 0); });
    }

    TEST_CASE("mutated CreatePartitions requests are answered, and their records replay") {
        seeded_cluster s;
        msg::create_partitions_request seed;
        seed.timeout_ms = 30000;
        seed.topics.push_back({"m", 5, std::nullopt, {}});
        seed.topics.push_back({"n", 3, std::vector<msg::create_partitions_request::create_partitions_assignment>{
                                            {{1}, {}}, {{3}, {}}},
                               {}});
        seed.topics.push_back({"missing", 2, std::nullopt, {}});
        exercise_writes(s, 45, seed, 0, 3,
                        [](auto& c, const auto& req, int16_t v) { return c.create_partitions(req, v, 0); });
    }

    TEST_CASE("mutated DeleteTopics requests are answered, and their records replay") {
        seeded_cluster s;
        msg::delete_topics_request seed;
        seed.timeout_ms = 30000;
        seed.topic_names = {"m", "missing", "n"};
        seed.topics.push_back({std::nullopt, s.k.image().topic("m")->id, {}});
        seed.topics.push_back({std::string("n"), {}, {}});
        seed.topics.push_back({std::string("missing"), {}, {}});
        exercise_writes(s, 46, seed, 0, 6,
                        [](auto& c, const auto& req, int16_t v) { return c.delete_topics(req, v, 0); });
    }

    TEST_CASE("mutated IncrementalAlterConfigs requests are answered, and their records replay") {
        seeded_cluster s;
        msg::incremental_alter_configs_request seed;
        auto& t = seed.resources.emplace_back();
        t.resource_type = 2;  // TOPIC
        t.resource_name = "m";
        t.configs.push_back({"retention.ms", 0, std::string("5000"), {}});           // SET
        t.configs.push_back({"cleanup.policy", 2, std::string("compact"), {}});       // APPEND
        t.configs.push_back({"segment.ms", 1, std::nullopt, {}});                     // DELETE
        auto& b = seed.resources.emplace_back();
        b.resource_type = 4;  // BROKER
        b.resource_name = "1";
        b.configs.push_back({"log.retention.ms", 0, std::string("600000"), {}});
        auto& all = seed.resources.emplace_back();
        all.resource_type = 4;
        all.resource_name = "";
        all.configs.push_back({"log.segment.bytes", 0, std::string("2097152"), {}});
        exercise_writes(s, 47, seed, 0, 1,
                        [](auto& c, const auto& req, int16_t v) { return c.incremental_alter_configs(req, v, 0); });
    }

    TEST_CASE("mutated AlterConfigs requests are answered, and their records replay") {
        seeded_cluster s;
        msg::alter_configs_request seed;
        auto& t = seed.resources.emplace_back();
        t.resource_type = 2;
        t.resource_name = "m";
        t.configs.push_back({"retention.ms", std::string("5000"), {}});
        t.configs.push_back({"max.message.bytes", std::string("100000"), {}});
        auto& b = seed.resources.emplace_back();
        b.resource_type = 4;
        b.resource_name = "1";
        b.configs.push_back({"log.retention.bytes", std::string("1000000"), {}});
        exercise_writes(s, 48, seed, 0, 2,
                        [](auto& c, const auto& req, int16_t v) { return c.alter_configs(req, v, 0); });
    }

    TEST_CASE("mutated DescribeConfigs requests are answered with a response that encodes") {
        seeded_cluster s;
        msg::describe_configs_request seed;
        seed.include_synonyms = true;
        seed.resources.push_back({2, "m", std::vector<std::string>{"retention.ms", "cleanup.policy"}, {}});
        seed.resources.push_back({4, "1", std::nullopt, {}});
        seed.resources.push_back({4, "", std::vector<std::string>{"log.retention.ms"}, {}});
        seed.resources.push_back({2, "missing", std::nullopt, {}});
        exercise(49, seed, 0, 4, [&](msg::describe_configs_request req, int16_t v) {
            check_encodes(s.k.c.describe_configs(req, v), v);
        });
    }
}
