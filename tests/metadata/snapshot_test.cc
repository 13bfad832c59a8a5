// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A snapshot's content: the records that rebuild an image, and when one is due.
#include "metadata/snapshot.h"

#include "metadata/image_records.h"
#include "metadata/metadata_delta.h"
#include "metadata/snapshot_trigger.h"
#include "test_records.h"

#include <doctest/doctest.h>

using namespace eddy;
using metadata::make_record;
using metadata::versioned_record;
using metadata::test::config;
using metadata::test::id_of;

namespace {

msg::register_broker_record broker(int32_t id, int64_t epoch) {
    msg::register_broker_record b;
    b.broker_id = id;
    b.broker_epoch = epoch;
    b.incarnation_id = id_of(static_cast<uint8_t>(100 + id));
    b.end_points.push_back({"PLAINTEXT", "host" + std::to_string(id), 9092, 0, {}});
    b.end_points.push_back({"SSL", "host" + std::to_string(id), 9093, 1, {}});
    b.features.push_back({"metadata.version", 1, 21, {}});
    b.rack = "rack-" + std::to_string(id);
    b.log_dirs = {id_of(50)};
    return b;
}

msg::partition_record partition(const codec::uuid& topic, int32_t index) {
    msg::partition_record p;
    p.topic_id = topic;
    p.partition_id = index;
    p.replicas = {1, 2};
    p.isr = {1, 2};
    p.leader = 1;
    p.leader_epoch = 0;
    p.partition_epoch = 0;
    p.directories = {id_of(50), id_of(51)};
    return p;
}

// A log whose image is not just its records in order: later records change, fence,
// remove and overwrite what earlier ones created.
std::vector<versioned_record> busy_log() {
    std::vector<versioned_record> log{
        make_record(msg::feature_level_record{"metadata.version", 21, {}}),
        make_record(msg::feature_level_record{"kraft.version", 0, {}}),
        make_record(msg::feature_level_record{"group.version", 1, {}}),
        make_record(broker(1, 10)),
        make_record(broker(2, 11)),
        make_record(msg::unfence_broker_record{1, 10, {}}),
        make_record(msg::topic_record{"orders", id_of(1), {}}),
        make_record(partition(id_of(1), 0)),
        make_record(partition(id_of(1), 1)),
        make_record(msg::topic_record{"gone", id_of(2), {}}),
        make_record(partition(id_of(2), 0)),
        make_record(config(metadata::resource_type::topic, "gone", "retention.ms", "5")),
        make_record(msg::remove_topic_record{id_of(2), {}}),
        make_record(config(metadata::resource_type::topic, "orders", "retention.ms", "1000")),
        make_record(config(metadata::resource_type::topic, "orders", "cleanup.policy", "delete")),
        make_record(
            config(metadata::resource_type::topic, "orders", "cleanup.policy", std::nullopt)),
        make_record(config(metadata::resource_type::broker, "", "log.retention.ms", "99")),
        make_record(msg::producer_ids_record{1, 10, 2000, {}}),
    };
    msg::partition_change_record change;
    change.topic_id = id_of(1);
    change.partition_id = 1;
    change.leader = 2;
    change.isr = std::vector<int32_t>{2};
    log.push_back(make_record(change));
    return log;
}

}  // namespace

TEST_SUITE("metadata.snapshot") {
    TEST_CASE("replaying an image's snapshot records onto nothing gives the same image") {
        auto replayed = metadata::replay(metadata::metadata_image::empty("c1"), busy_log());
        REQUIRE(replayed.error.empty());
        const metadata::metadata_image& image = *replayed.image;
        REQUIRE(image.topics().size() == 1);
        REQUIRE(image.brokers().size() == 2);

        std::vector<versioned_record> snapshot = metadata::snapshot_records(image);
        auto rebuilt = metadata::replay(metadata::metadata_image::empty("c1"), snapshot);
        REQUIRE(rebuilt.error.empty());
        CHECK(*rebuilt.image == image);
        // Field by field too, so a failure says what went missing.
        CHECK(rebuilt.image->brokers() == image.brokers());
        CHECK(rebuilt.image->all_configs() == image.all_configs());
        CHECK(rebuilt.image->features() == image.features());
        CHECK(rebuilt.image->next_producer_id() == image.next_producer_id());
        CHECK(rebuilt.image->topic("orders")->partitions == image.topic("orders")->partitions);
        // metadata.version comes first: it says how the rest is read.
        CHECK(metadata::api_key_of(snapshot.front().record) == msg::feature_level_record::api_key);
    }

    TEST_CASE("the snapshot of an empty image is empty") {
        CHECK(metadata::snapshot_records(*metadata::metadata_image::empty()).empty());
    }

    TEST_CASE("records and image structs convert both ways without losing a field") {
        const msg::register_broker_record b = broker(3, 7);
        const metadata::broker_registration reg = metadata::to_registration(b);
        CHECK(reg.id == 3);
        CHECK(reg.endpoints.size() == 2);
        CHECK(reg.endpoints[1].security_protocol == 1);
        CHECK(reg.features.at(0).max_version == 21);
        CHECK(metadata::to_record(reg) == b);

        const msg::partition_record p = partition(id_of(1), 4);
        const metadata::partition_state state = metadata::to_partition_state(p);
        CHECK(state.directories.size() == 2);
        CHECK(metadata::to_record(id_of(1), 4, state) == p);
    }
}

TEST_SUITE("metadata.snapshot_trigger") {
    TEST_CASE("a snapshot is due once the replayed bytes reach the limit, then counting restarts") {
        metadata::snapshot_trigger t({1000, 0}, 0);
        CHECK_FALSE(t.batch_replayed(400, 1));
        CHECK_FALSE(t.batch_replayed(599, 2));
        CHECK(t.batch_replayed(1, 3));
        CHECK_FALSE(t.batch_replayed(999, 4));
        CHECK(t.batch_replayed(5000, 5));
    }

    TEST_CASE("a snapshot is due when the interval passed and a batch arrives") {
        metadata::snapshot_trigger t({1 << 30, 60000}, 1000);
        CHECK_FALSE(t.batch_replayed(10, 60999));
        CHECK(t.batch_replayed(10, 61000));
        CHECK_FALSE(t.batch_replayed(10, 62000));
    }

    TEST_CASE("an interval of 0 turns the time trigger off, and a loaded snapshot resets both") {
        metadata::snapshot_trigger t({100, 0}, 0);
        CHECK_FALSE(t.batch_replayed(99, 1'000'000'000));
        t.reset(5);
        CHECK_FALSE(t.batch_replayed(99, 6));
        CHECK(t.batch_replayed(1, 7));
    }
}
