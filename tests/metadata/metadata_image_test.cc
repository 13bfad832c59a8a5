// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "metadata/metadata_delta.h"
#include "test_records.h"

using namespace eddy;
using metadata::make_record;
using metadata::metadata_delta;
using metadata::metadata_image;
using metadata::versioned_record;
using metadata::test::config;
using metadata::test::id_of;

namespace {

msg::partition_record partition(const codec::uuid& topic, int32_t index,
                                std::vector<int32_t> replicas) {
    msg::partition_record p;
    p.topic_id = topic;
    p.partition_id = index;
    p.replicas = replicas;
    p.isr = replicas;
    p.leader = replicas.front();
    p.leader_epoch = 0;
    p.partition_epoch = 0;
    return p;
}

std::vector<versioned_record> small_cluster() {
    msg::register_broker_record b;
    b.broker_id = 1;
    b.broker_epoch = 5;
    b.end_points.push_back({"PLAINTEXT", "localhost", 9092, 0, {}});
    b.rack = "rack-a";
    b.fenced = true;
    return {
        make_record(msg::feature_level_record{"metadata.version", 21, {}}),
        make_record(b),
        make_record(msg::topic_record{"orders", id_of(1), {}}),
        make_record(config(metadata::resource_type::topic, "orders", "retention.ms", "1000")),
        make_record(partition(id_of(1), 0, {1})),
        make_record(partition(id_of(1), 1, {1})),
        make_record(msg::topic_record{"payments", id_of(2), {}}),
        make_record(partition(id_of(2), 0, {1})),
    };
}

}  // namespace

TEST_SUITE("metadata.image") {
    TEST_CASE("replaying records in log order builds the image they describe") {
        auto r = metadata::replay(metadata_image::empty("cluster-x"), small_cluster());
        REQUIRE(r.error.empty());
        const metadata_image& image = *r.image;
        CHECK(image.cluster_id() == "cluster-x");
        CHECK(image.metadata_version() == 21);
        REQUIRE(image.broker(1) != nullptr);
        CHECK(image.broker(1)->epoch == 5);
        CHECK(image.broker(1)->fenced);
        CHECK(image.broker(1)->rack == "rack-a");
        CHECK(image.broker(1)->endpoints.at(0).port == 9092);
        CHECK_FALSE(image.is_active(1));
        REQUIRE(image.topic("orders") != nullptr);
        CHECK(image.topic("orders")->id == id_of(1));
        CHECK(image.topic(id_of(1))->name == "orders");
        CHECK(image.topic("orders")->partitions.size() == 2);
        CHECK(image.topic("payments")->partitions.at(0).leader == 1);
        CHECK(image.configs(metadata::resource_type::topic, "orders").at("retention.ms") == "1000");
        CHECK(image.configs(metadata::resource_type::topic, "payments").empty());
        CHECK(image.topic("missing") == nullptr);
    }

    TEST_CASE("a new image shares every topic the records did not touch") {
        auto base = metadata::replay(metadata_image::empty(), small_cluster()).image;
        metadata_delta delta(base);
        msg::partition_change_record change;
        change.topic_id = id_of(1);
        change.partition_id = 0;
        change.isr = std::vector<int32_t>{1};
        REQUIRE(delta.apply(make_record(change)).ok());
        auto next = delta.build();
        CHECK(next != base);
        CHECK(next->shared_topic(id_of(2)) == base->shared_topic(id_of(2)));
        CHECK(next->shared_topic(id_of(1)) != base->shared_topic(id_of(1)));
        // The old image is unchanged.
        CHECK(base->topic(id_of(1))->partitions.at(0).partition_epoch == 0);
        CHECK(next->topic(id_of(1))->partitions.at(0).partition_epoch == 1);
        // Untouched parts are shared as a whole.
        CHECK(&next->brokers() == &base->brokers());
        CHECK(&next->all_configs() == &base->all_configs());
    }

    TEST_CASE("a delta with no records gives back the same image") {
        auto base = metadata::replay(metadata_image::empty(), small_cluster()).image;
        metadata_delta delta(base);
        CHECK(delta.build() == base);
        REQUIRE(delta.apply(make_record(msg::no_op_record{})).ok());
        CHECK(delta.build() == base);
    }

    TEST_CASE("a partition change bumps the leader epoch only when the leader changes") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        msg::partition_change_record isr_only;
        isr_only.topic_id = id_of(1);
        isr_only.partition_id = 1;
        isr_only.isr = std::vector<int32_t>{};
        msg::partition_change_record new_leader;
        new_leader.topic_id = id_of(1);
        new_leader.partition_id = 1;
        new_leader.leader = -1;
        std::vector<versioned_record> records = {make_record(isr_only), make_record(new_leader)};
        auto r = metadata::replay(image, records);
        REQUIRE(r.error.empty());
        const auto& p = r.image->topic("orders")->partitions.at(1);
        CHECK(p.isr.empty());
        CHECK(p.leader == -1);
        CHECK(p.leader_epoch == 1);
        CHECK(p.partition_epoch == 2);
        CHECK(p.replicas == std::vector<int32_t>{1});
    }

    TEST_CASE("removing a topic removes its partitions, its id, its name and its configs") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        std::vector<versioned_record> records = {make_record(msg::remove_topic_record{id_of(1), {}})};
        auto r = metadata::replay(image, records);
        REQUIRE(r.error.empty());
        CHECK(r.image->topic("orders") == nullptr);
        CHECK(r.image->topic(id_of(1)) == nullptr);
        CHECK(r.image->configs(metadata::resource_type::topic, "orders").empty());
        CHECK(r.image->topic("payments") != nullptr);
    }

    TEST_CASE("a null ConfigRecord value deletes the config, and an empty resource goes away") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        std::vector<versioned_record> records = {make_record(
            config(metadata::resource_type::topic, "orders", "retention.ms", std::nullopt))};
        auto r = metadata::replay(image, records);
        REQUIRE(r.error.empty());
        CHECK(r.image->all_configs().empty());
    }

    TEST_CASE("broker records fence, unfence and unregister a broker") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        msg::broker_registration_change_record unfence;
        unfence.broker_id = 1;
        unfence.broker_epoch = 5;
        unfence.fenced = -1;
        auto r = metadata::replay(image, std::vector<versioned_record>{make_record(unfence)});
        REQUIRE(r.error.empty());
        CHECK(r.image->is_active(1));
        r = metadata::replay(r.image,
                             std::vector<versioned_record>{make_record(msg::fence_broker_record{1, 5, {}})});
        CHECK(r.image->broker(1)->fenced);
        r = metadata::replay(
            r.image, std::vector<versioned_record>{make_record(msg::unregister_broker_record{1, 5, {}})});
        REQUIRE(r.error.empty());
        CHECK(r.image->broker(1) == nullptr);
    }

    TEST_CASE("feature level 0 removes the feature") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        auto r = metadata::replay(image, std::vector<versioned_record>{make_record(
                                             msg::feature_level_record{"metadata.version", 0, {}})});
        CHECK(r.image->metadata_version() == 0);
        CHECK(r.image->features().empty());
    }

    TEST_CASE("producer id blocks only move forward") {
        auto image = metadata_image::empty();
        auto r = metadata::replay(image, std::vector<versioned_record>{
                                             make_record(msg::producer_ids_record{1, 5, 1000, {}})});
        REQUIRE(r.error.empty());
        CHECK(r.image->next_producer_id() == 1000);
        r = metadata::replay(r.image, std::vector<versioned_record>{
                                          make_record(msg::producer_ids_record{1, 5, 1000, {}})});
        CHECK_FALSE(r.error.empty());
        CHECK(r.image->next_producer_id() == 1000);
    }

    TEST_CASE("records that do not fit the image are reported and change nothing") {
        auto image = metadata::replay(metadata_image::empty(), small_cluster()).image;
        metadata_delta delta(image);
        CHECK_FALSE(delta.apply(make_record(partition(id_of(9), 0, {1}))).ok());
        CHECK_FALSE(delta.apply(make_record(msg::topic_record{"orders", id_of(7), {}})).ok());
        CHECK_FALSE(delta.apply(make_record(msg::topic_record{"other", id_of(1), {}})).ok());
        CHECK_FALSE(delta.apply(make_record(msg::remove_topic_record{id_of(9), {}})).ok());
        msg::partition_change_record change;
        change.topic_id = id_of(1);
        change.partition_id = 5;
        CHECK_FALSE(delta.apply(make_record(change)).ok());
        CHECK(*delta.build() == *image);
    }

    TEST_CASE("replay stops at the first bad record and keeps the ones before it") {
        auto records = small_cluster();
        records.push_back(make_record(msg::remove_topic_record{id_of(9), {}}));
        records.push_back(make_record(msg::topic_record{"late", id_of(3), {}}));
        auto r = metadata::replay(metadata_image::empty(), records);
        CHECK(r.error.find("record 8") == 0);
        CHECK(r.image->topic("payments") != nullptr);
        CHECK(r.image->topic("late") == nullptr);
    }

    TEST_CASE("the same records give equal images, however they are batched") {
        auto records = small_cluster();
        auto whole = metadata::replay(metadata_image::empty(), records).image;
        auto image = metadata_image::empty();
        for (const auto& r : records) {
            image = metadata::replay(image, std::span<const versioned_record>(&r, 1)).image;
        }
        CHECK(*image == *whole);
        CHECK_FALSE(*image == *metadata_image::empty());
    }
}
