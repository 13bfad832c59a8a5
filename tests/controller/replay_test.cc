// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <random>

#include "cluster_fixture.h"

using namespace eddy;
using namespace eddy::controller_test;

TEST_SUITE("controller.cluster") {
    TEST_CASE("a new cluster starts at metadata.version 3.9-IV0") {
        controller::controller c(cluster::make_options({}, 1));
        auto records = c.bootstrap_records();
        REQUIRE(records.size() == 1);
        const auto& f = std::get<msg::feature_level_record>(records[0].record);
        CHECK(f.name == "metadata.version");
        CHECK(f.feature_level == 21);
        REQUIRE(c.replay(records).ok());
        CHECK(c.image()->metadata_version() == 21);
        CHECK(c.image()->cluster_id() == "test-cluster");
    }

    TEST_CASE("a broker registers fenced and is unfenced by its first heartbeat") {
        cluster k({}, 0);
        controller::broker_registration_request req;
        req.broker_id = 1;
        req.rack = "r";
        req.listeners.push_back({"PLAINTEXT", "h", 9092, 0});
        auto reg = k.c.register_broker(req);
        REQUIRE(reg.records.size() == 1);
        CHECK(reg.records[0].version == 3);
        const auto& rec = std::get<msg::register_broker_record>(reg.records[0].record);
        CHECK(rec.fenced);
        CHECK(rec.broker_epoch == reg.response.broker_epoch);
        k.commit(reg.records);
        CHECK_FALSE(k.image().is_active(1));
        CHECK(k.c.unfence_broker(1, reg.response.broker_epoch + 1).response ==
              code(error_code::stale_broker_epoch));
        CHECK(k.c.unfence_broker(7, 0).response == code(error_code::broker_id_not_registered));
        k.commit(k.c.unfence_broker(1, reg.response.broker_epoch).records);
        CHECK(k.image().is_active(1));
        CHECK(k.image().broker(1)->rack == "r");
    }

    TEST_CASE("producer ids come in blocks of 1000 that never repeat") {
        cluster k;
        const int64_t epoch = k.image().broker(1)->epoch;
        auto first = k.c.allocate_producer_ids(1, epoch);
        CHECK(first.response.error_code == 0);
        CHECK(first.response.first_producer_id == 0);
        CHECK(first.response.size == 1000);
        REQUIRE(first.records.size() == 1);
        CHECK(std::get<msg::producer_ids_record>(first.records[0].record).next_producer_id == 1000);
        k.commit(first.records);
        auto second = k.c.allocate_producer_ids(1, epoch);
        CHECK(second.response.first_producer_id == 1000);
        k.commit(second.records);
        CHECK(k.image().next_producer_id() == 2000);
        CHECK(k.c.allocate_producer_ids(1, epoch + 5).response.error_code ==
              code(error_code::stale_broker_epoch));
    }

    TEST_CASE("framed records replay to the same image") {
        cluster k;
        create_and_commit(k, {topic("a", 2), topic("b")});
        controller::controller fresh(cluster::make_options({}, 1));
        REQUIRE(fresh.replay_framed(metadata::frame_records(k.log)).ok());
        CHECK(*fresh.image() == k.image());
        std::vector<std::vector<uint8_t>> frames = metadata::frame_records(k.log);
        frames.push_back({0x01, 0x7f});
        controller::controller broken(cluster::make_options({}, 1));
        CHECK_FALSE(broken.replay_framed(frames).ok());
        CHECK(*broken.image() == k.image());  // everything before the bad frame applied
    }

    TEST_CASE("a long random run of operations rebuilds to an equal image from its records") {
        std::mt19937_64 g(2024);
        cluster k({{"num.partitions", "2"}}, 3);
        auto pick = [&](size_t n) { return static_cast<size_t>(g() % n); };
        auto topic_names = [&] {
            std::vector<std::string> names;
            for (const auto& [name, t] : k.image().topic_names()) names.push_back(name);
            return names;
        };
        for (int step = 0; step < 400; ++step) {
            auto names = topic_names();
            switch (pick(6)) {
                case 0:
                case 1: {
                    auto t = topic("t" + std::to_string(pick(60)), static_cast<int32_t>(pick(4)) - 1,
                                   static_cast<int16_t>(pick(4)) - 1);
                    if (pick(3) == 0) with_config(t, "retention.ms", std::to_string(pick(100000)));
                    k.commit(k.c.create_topics(create({t}), 7, step).records);
                    break;
                }
                case 2:
                    if (!names.empty()) {
                        msg::delete_topics_request r;
                        r.topic_names.push_back(names[pick(names.size())]);
                        r.timeout_ms = 30000;
                        k.commit(k.c.delete_topics(r, 6, step).records);
                    }
                    break;
                case 3:
                    if (!names.empty()) {
                        msg::create_partitions_request r;
                        r.timeout_ms = 30000;
                        const std::string& name = names[pick(names.size())];
                        r.topics.push_back({name,
                                            static_cast<int32_t>(k.image().topic(name)->partitions.size() + pick(3)),
                                            std::nullopt,
                                            {}});
                        k.commit(k.c.create_partitions(r, 3, step).records);
                    }
                    break;
                case 4:
                    if (!names.empty()) {
                        msg::incremental_alter_configs_request r;
                        msg::incremental_alter_configs_request::alter_configs_resource res;
                        res.resource_type = 2;
                        res.resource_name = names[pick(names.size())];
                        const char* keys[] = {"retention.ms", "segment.ms", "retention.bytes"};
                        res.configs.push_back({keys[pick(3)], static_cast<int8_t>(pick(2)),
                                               std::to_string(pick(1000) + 1), {}});
                        r.resources.push_back(std::move(res));
                        k.commit(k.c.incremental_alter_configs(r, 1, step).records);
                    }
                    break;
                case 5:
                    k.commit(k.c.allocate_producer_ids(2, k.image().broker(2)->epoch).records);
                    break;
            }
        }
        CHECK(k.image().topics().size() > 5);
        CHECK(k.log.size() > 200);

        controller::controller rebuilt(cluster::make_options({{"num.partitions", "2"}}, 99));
        REQUIRE(rebuilt.replay(k.log).ok());
        CHECK(*rebuilt.image() == k.image());

        controller::controller from_frames(cluster::make_options({}, 5));
        REQUIRE(from_frames.replay_framed(metadata::frame_records(k.log)).ok());
        CHECK(*from_frames.image() == k.image());
    }
}

TEST_SUITE("controller.bootstrap") {
    TEST_CASE("a single node's first batch registers and unfences it") {
        controller::controller c(cluster::make_options({}, 1));
        controller::broker_registration_request self;
        self.broker_id = 1;
        self.listeners.push_back({"PLAINTEXT", "127.0.0.1", 9092, 0});
        auto records = c.bootstrap_records(self);
        REQUIRE(records.size() == 3);
        REQUIRE(c.replay(records).ok());
        CHECK(c.image()->metadata_version() == 21);
        CHECK(c.image()->is_active(1));
        CHECK(c.image()->broker(1)->epoch == 1);
    }
}

TEST_SUITE("controller.snapshot") {
    TEST_CASE("an image written as snapshot records rebuilds to an equal image") {
        cluster k({}, 2);
        auto t = topic("a", 3, 2);
        with_config(t, "retention.ms", "100");
        create_and_commit(k, {t, topic("b")});
        k.commit(k.c.allocate_producer_ids(1, k.image().broker(1)->epoch).records);
        auto records = metadata::snapshot_records(k.image());
        auto rebuilt = metadata::replay(metadata::metadata_image::empty("test-cluster"), records);
        REQUIRE(rebuilt.error.empty());
        CHECK(*rebuilt.image == k.image());
    }
}
