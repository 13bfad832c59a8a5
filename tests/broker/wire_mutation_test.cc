// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The apis no handler-level mutation test reaches, fed mutated requests over a socket: a
// whole broker in this process holds a topic with data, a group with committed offsets and
// an ongoing transaction; each request is encoded in a version the broker serves, some of
// its bytes are changed (tests/support/request_mutator.h), and every mutation that still
// decodes is sent. A request that decodes must be answered, on the same connection, with a
// response that decodes exactly in that version: no closed connection, no crash (under
// ASan+UBSan in CI, no touch of memory the broker does not own). Seeds are fixed, so a
// failure replays.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "batch_builder.h"
#include "broker/handlers/registry.h"
#include "common/wall_clock.h"
#include "coordinator_calls.h"
#include "eddy/msg/all.h"
#include "error_code_value.h"
#include "in_process_broker.h"
#include "kafka_client.h"
#include "request_mutator.h"

namespace eddy::test {
namespace {

using record::test::producer_batch;

constexpr int rounds_per_api = 2000;


// A broker with state for the requests to name: topic "m" (3 partitions, records in each),
// group "g" with an offset committed for m-0, and transaction "tx" ongoing on m-0 and m-1.
struct broker_with_state {
    in_process_broker broker;
    kafka_client client{broker.port};
    codec::uuid topic_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;

    broker_with_state() {
        create_topic();
        for (int32_t p = 0; p < 3; ++p) produce(p, producer_batch(-1, -1, -1, 3, wall_clock_ms()), std::nullopt);
        begin_transaction();
        commit_group_offset();
    }

    void create_topic() {
        msg::create_topics_request req;
        auto& t = req.topics.emplace_back();
        t.name = "m";
        t.num_partitions = 3;
        t.replication_factor = 1;
        auto r = client.call<msg::create_topics_response>(req, 7);
        REQUIRE(r);
        REQUIRE(r->body.topics.at(0).error_code == 0);
        topic_id = r->body.topics.at(0).topic_id;
    }

    void produce(int32_t partition, const std::vector<uint8_t>& batch,
                 std::optional<std::string> transactional_id) {
        msg::produce_request req;
        req.transactional_id = std::move(transactional_id);
        req.acks = -1;
        req.timeout_ms = 30000;
        auto& t = req.topic_data.emplace_back();
        t.name = "m";
        auto& p = t.partition_data.emplace_back();
        p.index = partition;
        p.records = codec::bytes_view{batch.data(), batch.size(), false};
        auto r = client.call<msg::produce_response>(req, 9);
        REQUIRE(r);
        REQUIRE(r->body.responses.at(0).partition_responses.at(0).error_code == 0);
    }

    void begin_transaction() {
        find_coordinator(client, "tx", 1);
        msg::init_producer_id_request init;
        init.transactional_id = "tx";
        init.transaction_timeout_ms = 60000;
        auto id = until_coordinator_ready<msg::init_producer_id_response>(
            client, init, 4, [](const auto& b) { return b.error_code; });
        REQUIRE(id.error_code == 0);
        producer_id = id.producer_id;
        producer_epoch = id.producer_epoch;

        msg::add_partitions_to_txn_request add;
        add.v3_and_below_transactional_id = "tx";
        add.v3_and_below_producer_id = producer_id;
        add.v3_and_below_producer_epoch = producer_epoch;
        auto& t = add.v3_and_below_topics.emplace_back();
        t.name = "m";
        t.partitions = {0, 1};
        auto added = until_coordinator_ready<msg::add_partitions_to_txn_response>(
            client, add, 3, [](const auto& b) {
                return b.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code;
            });
        for (const auto& p : added.results_by_topic_v3_and_below.at(0).results_by_partition)
            REQUIRE(p.partition_error_code == 0);
        produce(0, producer_batch(producer_id, producer_epoch, 0, 2, wall_clock_ms(), true), "tx");
    }

    void commit_group_offset() {
        find_coordinator(client, "g", 0);
        msg::offset_commit_request req;
        req.group_id = "g";
        auto& t = req.topics.emplace_back();
        t.name = "m";
        auto& p = t.partitions.emplace_back();
        p.partition_index = 0;
        p.committed_offset = 1;
        auto r = until_coordinator_ready<msg::offset_commit_response>(
            client, req, 8, [](const auto& b) { return b.topics.at(0).partitions.at(0).error_code; });
        REQUIRE(r.topics.at(0).partitions.at(0).error_code == 0);
    }

    // The seed as whole frames, header included, mutated and sent as they are (not decoded
    // and encoded again): trailing bytes, a changed version, correlation id or client id.
    // The api key is kept, so no mutation turns into a request that waits (a Fetch or a
    // JoinGroup). Each frame is answered, with its correlation id and a response that
    // decodes, or its connection closed (a header or body that does not decode).
    template <class Resp, class Req>
    void exercise_frames(const Req& seed, request_mutator& m, const broker::api_support& served) {
        auto connection = std::make_unique<kafka_client>(broker.port);
        int answered = 0;
        const auto span = static_cast<uint32_t>(served.supported.max - served.supported.min + 1);
        for (int round = 0; round < rounds_per_api; ++round) {
            const auto version = static_cast<int16_t>(served.supported.min + static_cast<int16_t>(m.below(span)));
            const std::vector<uint8_t> frame = encode_request(seed, version, round);
            std::vector<uint8_t> mutated = m.mutate(frame);
            if (mutated.size() < 2) continue;
            mutated[0] = frame[0];
            mutated[1] = frame[1];
            connection->send_frame(mutated);
            const auto reply = connection->receive_frame();
            if (!reply) {
                connection = std::make_unique<kafka_client>(broker.port);
                continue;
            }
            ++answered;
            CAPTURE(round);
            REQUIRE(mutated.size() >= 8);
            REQUIRE(reply->size() >= 4);
            CHECK(std::equal(reply->begin(), reply->begin() + 4, mutated.begin() + 4));
            const auto sent_version = static_cast<int16_t>((mutated[2] << 8) | mutated[3]);
            CAPTURE(sent_version);
            // Only ApiVersions answers a version it does not serve (in v0).
            const bool in_range = served.supported.contains(sent_version);
            REQUIRE((in_range || Req::api_key == msg::api_versions_request::api_key));
            const int16_t body_version = in_range ? sent_version : 0;
            auto decoded = decode_response<Resp>(
                *reply, msg::response_header_version(Req::api_key, body_version), body_version);
            REQUIRE(decoded);
            CHECK(decoded->fully_consumed);
        }
        CHECK(answered > rounds_per_api / 10);
    }

    // Every mutation of `seed` that decodes, in a version the broker serves, must be
    // answered with a `Resp` that decodes exactly; at least a tenth of them must decode
    // (compact lengths make short requests fragile).
    template <class Resp, class Req>
    void exercise(const Req& seed, uint32_t mutator_seed) {
        const broker::api_support* served = broker::find_supported(Req::api_key);
        REQUIRE(served != nullptr);
        request_mutator m(mutator_seed);
        const int handled = exercise_mutations(
            m, seed, served->supported.min, served->supported.max, rounds_per_api,
            [&](const Req& request, int16_t version) {
                auto r = client.call<Resp>(request, version);
                REQUIRE(r);  // answered, not closed
                CHECK(r->fully_consumed);
            });
        CHECK(handled > rounds_per_api / 10);
        exercise_frames<Resp>(seed, m, *served);
        // Still serving, on a new connection too.
        kafka_client fresh(broker.port);
        auto versions = fresh.call<msg::api_versions_response>(api_versions_request(), 3);
        REQUIRE(versions);
        CHECK(versions->body.error_code == 0);
    }
};

TEST_CASE("mutated cluster requests are answered: Metadata, ApiVersions, DescribeCluster and the quorum") {
    broker_with_state s;

    msg::metadata_request metadata;
    metadata.topics.emplace();
    metadata.topics->emplace_back().name = "m";
    metadata.topics->emplace_back().name = "missing";
    auto& by_id = metadata.topics->emplace_back();
    by_id.topic_id = s.topic_id;
    by_id.name = std::nullopt;
    metadata.allow_auto_topic_creation = false;
    metadata.include_topic_authorized_operations = true;
    s.exercise<msg::metadata_response>(metadata, 40);

    s.exercise<msg::api_versions_response>(api_versions_request(), 41);

    msg::describe_cluster_request cluster;
    cluster.include_cluster_authorized_operations = true;
    s.exercise<msg::describe_cluster_response>(cluster, 42);

    msg::describe_quorum_request quorum;
    auto& qt = quorum.topics.emplace_back();
    qt.topic_name = "__cluster_metadata";
    qt.partitions.push_back({.partition_index = 0, .unknown_tagged_fields = {}});
    qt.partitions.push_back({.partition_index = 1, .unknown_tagged_fields = {}});
    s.exercise<msg::describe_quorum_response>(quorum, 43);
}

TEST_CASE("mutated topic description requests are answered: log dirs, producers, topic partitions") {
    broker_with_state s;

    msg::describe_log_dirs_request log_dirs;
    log_dirs.topics.emplace();
    auto& lt = log_dirs.topics->emplace_back();
    lt.topic = "m";
    lt.partitions = {0, 1, 7};
    s.exercise<msg::describe_log_dirs_response>(log_dirs, 44);

    msg::describe_producers_request producers;
    auto& pt = producers.topics.emplace_back();
    pt.name = "m";
    pt.partition_indexes = {0, 1, 0, 9};
    producers.topics.emplace_back().name = "missing";
    s.exercise<msg::describe_producers_response>(producers, 45);

    msg::describe_topic_partitions_request partitions;
    partitions.topics.emplace_back().name = "m";
    partitions.topics.emplace_back().name = "missing";
    partitions.response_partition_limit = 2;
    partitions.cursor.emplace();
    partitions.cursor->topic_name = "m";
    partitions.cursor->partition_index = 1;
    s.exercise<msg::describe_topic_partitions_response>(partitions, 46);
}

TEST_CASE("mutated group requests are answered: FindCoordinator, DescribeGroups, ListGroups, DeleteGroups") {
    broker_with_state s;

    msg::find_coordinator_request find;
    find.key = "g";
    find.coordinator_keys = {"g", "tx", ""};
    s.exercise<msg::find_coordinator_response>(find, 47);

    msg::describe_groups_request describe;
    describe.groups = {"g", "missing", ""};
    describe.include_authorized_operations = true;
    s.exercise<msg::describe_groups_response>(describe, 48);

    msg::consumer_group_describe_request describe_consumer;
    describe_consumer.group_ids = {"g", "missing"};
    s.exercise<msg::consumer_group_describe_response>(describe_consumer, 49);

    msg::list_groups_request list;
    list.states_filter = {"Empty"};
    list.types_filter = {"classic"};
    s.exercise<msg::list_groups_response>(list, 50);

    msg::delete_groups_request remove;
    remove.groups_names = {"missing", "g", "g"};
    s.exercise<msg::delete_groups_response>(remove, 51);
}

TEST_CASE("mutated transaction requests are answered: describe, list, add, markers, end, init") {
    broker_with_state s;

    msg::describe_transactions_request describe;
    describe.transactional_ids = {"tx", "missing", ""};
    s.exercise<msg::describe_transactions_response>(describe, 52);

    msg::list_transactions_request list;
    list.state_filters = {"Ongoing"};
    list.producer_id_filters = {s.producer_id};
    s.exercise<msg::list_transactions_response>(list, 53);

    msg::add_partitions_to_txn_request add;
    add.v3_and_below_transactional_id = "tx";
    add.v3_and_below_producer_id = s.producer_id;
    add.v3_and_below_producer_epoch = s.producer_epoch;
    auto& at = add.v3_and_below_topics.emplace_back();
    at.name = "m";
    at.partitions = {1, 2, 2};
    auto& batch = add.transactions.emplace_back();
    batch.transactional_id = "tx";
    batch.producer_id = s.producer_id;
    batch.producer_epoch = s.producer_epoch;
    batch.verify_only = true;
    batch.topics = add.v3_and_below_topics;
    s.exercise<msg::add_partitions_to_txn_response>(add, 54);

    msg::add_offsets_to_txn_request add_offsets;
    add_offsets.transactional_id = "tx";
    add_offsets.producer_id = s.producer_id;
    add_offsets.producer_epoch = s.producer_epoch;
    add_offsets.group_id = "g";
    s.exercise<msg::add_offsets_to_txn_response>(add_offsets, 55);

    msg::write_txn_markers_request markers;
    auto& marker = markers.markers.emplace_back();
    marker.producer_id = s.producer_id;
    marker.producer_epoch = s.producer_epoch;
    marker.transaction_result = true;
    auto& mt = marker.topics.emplace_back();
    mt.name = "m";
    mt.partition_indexes = {0, 1, 5};
    s.exercise<msg::write_txn_markers_response>(markers, 56);

    msg::end_txn_request end;
    end.transactional_id = "tx";
    end.producer_id = s.producer_id;
    end.producer_epoch = s.producer_epoch;
    end.committed = true;
    s.exercise<msg::end_txn_response>(end, 57);

    msg::init_producer_id_request init;
    init.transactional_id = "tx";
    init.transaction_timeout_ms = 60000;
    init.producer_id = s.producer_id;
    init.producer_epoch = s.producer_epoch;
    s.exercise<msg::init_producer_id_response>(init, 58);
}

TEST_CASE("mutated ACL requests are answered") {
    broker_with_state s;

    msg::describe_acls_request describe;
    describe.resource_type_filter = 2;  // topic
    describe.resource_name_filter = "m";
    describe.principal_filter = "User:a";
    describe.host_filter = "*";
    describe.operation = 2;        // all
    describe.permission_type = 3;  // allow
    s.exercise<msg::describe_acls_response>(describe, 59);

    msg::create_acls_request create;
    auto& acl = create.creations.emplace_back();
    acl.resource_type = 2;
    acl.resource_name = "m";
    acl.principal = "User:a";
    acl.host = "*";
    acl.operation = 3;  // read
    acl.permission_type = 3;
    s.exercise<msg::create_acls_response>(create, 60);

    msg::delete_acls_request remove;
    auto& filter = remove.filters.emplace_back();
    filter.resource_type_filter = 1;  // any
    filter.operation = 1;
    filter.permission_type = 1;
    s.exercise<msg::delete_acls_response>(remove, 61);
}

}  // namespace
}  // namespace eddy::test
