// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Metadata answered from a metadata image with topics and brokers in it.
#include <doctest/doctest.h>

#include "broker/handlers/metadata.h"
#include "eddy/error_code.h"
#include "metadata/metadata_delta.h"
#include "error_code_value.h"
#include "metadata_context.h"

using namespace eddy;
using broker::metadata_handler;

namespace {

msg::register_broker_record registration(int32_t id, bool fenced) {
    msg::register_broker_record r;
    r.broker_id = id;
    r.broker_epoch = id;
    msg::register_broker_record::broker_endpoint ep;
    ep.name = "PLAINTEXT";
    ep.host = "b" + std::to_string(id);
    ep.port = static_cast<uint16_t>(9000 + id);
    r.end_points.push_back(ep);
    r.fenced = fenced;
    return r;
}

msg::partition_record partition(const codec::uuid& topic, int32_t index, int32_t leader,
                                std::vector<int32_t> replicas) {
    msg::partition_record p;
    p.topic_id = topic;
    p.partition_id = index;
    p.leader = leader;
    p.leader_epoch = 3;
    p.partition_epoch = 0;
    p.isr = {leader};
    p.replicas = std::move(replicas);
    return p;
}

// Broker 5 live, broker 6 fenced; "orders" (2 partitions, the second led by 6) and
// __consumer_offsets (1 partition).
metadata::image_ptr cluster_image() {
    metadata::metadata_delta d(metadata::metadata_image::empty("cluster-1"));
    REQUIRE(d.apply(registration(5, false)).ok());
    REQUIRE(d.apply(registration(6, true)).ok());
    codec::uuid orders;
    orders.bytes[0] = 7;
    codec::uuid offsets;
    offsets.bytes[0] = 8;
    REQUIRE(d.apply(msg::topic_record{"orders", orders, {}}).ok());
    REQUIRE(d.apply(partition(orders, 0, 5, {5, 6})).ok());
    REQUIRE(d.apply(partition(orders, 1, 6, {6, 5})).ok());
    REQUIRE(d.apply(msg::topic_record{"__consumer_offsets", offsets, {}}).ok());
    REQUIRE(d.apply(partition(offsets, 0, 5, {5})).ok());
    return d.build();
}

}  // namespace

TEST_SUITE("broker.handlers.metadata.image") {
    TEST_CASE("all topics are listed with partitions, leaders, replicas, ISR and topic ids") {
        auto image = cluster_image();
        msg::metadata_request req;
        req.topics = std::nullopt;
        auto resp = metadata_handler::answer(test::metadata_context(12), req, *image, {});
        // Fenced brokers are not listed.
        REQUIRE(resp.brokers.size() == 1);
        CHECK(resp.brokers[0].node_id == 5);
        CHECK(resp.brokers[0].host == "b5");
        CHECK(resp.brokers[0].port == 9005);
        REQUIRE(resp.topics.size() == 2);
        const auto& offsets = resp.topics[0];
        CHECK(offsets.name == "__consumer_offsets");
        CHECK(offsets.is_internal);
        const auto& orders = resp.topics[1];
        CHECK(orders.name == "orders");
        CHECK_FALSE(orders.is_internal);
        CHECK(orders.topic_id.bytes[0] == 7);
        REQUIRE(orders.partitions.size() == 2);
        CHECK(orders.partitions[0].error_code == 0);
        CHECK(orders.partitions[0].leader_id == 5);
        CHECK(orders.partitions[0].leader_epoch == 3);
        CHECK(orders.partitions[0].replica_nodes == std::vector<int32_t>{5, 6});
        CHECK(orders.partitions[0].isr_nodes == std::vector<int32_t>{5});
        CHECK(orders.partitions[0].offline_replicas == std::vector<int32_t>{6});
    }

    TEST_CASE("a partition led by a fenced broker is LEADER_NOT_AVAILABLE without a leader") {
        auto image = cluster_image();
        msg::metadata_request req;
        req.topics.emplace();
        req.topics->push_back({codec::uuid{}, "orders", {}});
        auto resp = metadata_handler::answer(test::metadata_context(9), req, *image, {});
        REQUIRE(resp.topics.size() == 1);
        const auto& p1 = resp.topics[0].partitions.at(1);
        CHECK(p1.error_code == code(error_code::leader_not_available));
        CHECK(p1.leader_id == -1);
    }

    TEST_CASE("a topic asked by id in v12 is found by its id") {
        auto image = cluster_image();
        msg::metadata_request req;
        req.topics.emplace();
        codec::uuid id;
        id.bytes[0] = 7;
        req.topics->push_back({id, std::nullopt, {}});
        auto resp = metadata_handler::answer(test::metadata_context(12), req, *image, {});
        REQUIRE(resp.topics.size() == 1);
        CHECK(resp.topics[0].error_code == 0);
        CHECK(resp.topics[0].name == "orders");
    }

    TEST_CASE("missing topics are reported as the auto-creation said, once each") {
        auto image = cluster_image();
        msg::metadata_request req;
        req.topics.emplace();
        for (const char* n : {"new", "orders", "new", "other"}) req.topics->push_back({codec::uuid{}, n, {}});
        auto ctx = test::metadata_context(9);
        CHECK(metadata_handler::missing_topics(ctx, req, *image) == std::vector<std::string>{"new", "other"});
        std::vector<broker::auto_create_status> created = {
            {"new", code(error_code::unknown_topic_or_partition)},
            {"other", code(error_code::invalid_replication_factor)}};
        auto resp = metadata_handler::answer(ctx, req, *image, created);
        REQUIRE(resp.topics.size() == 3);
        CHECK(resp.topics[0].name == "new");
        CHECK(resp.topics[0].error_code == code(error_code::unknown_topic_or_partition));
        CHECK(resp.topics[1].error_code == 0);
        CHECK(resp.topics[2].error_code == code(error_code::invalid_replication_factor));
    }
}
