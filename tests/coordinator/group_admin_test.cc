// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// librdkafka's admin api finds, lists, describes and deletes groups (FindCoordinator,
// ListGroups, DescribeGroups, DeleteGroups).
#include <doctest/doctest.h>

#include <map>

#include "rdkafka_broker.h"

using namespace eddy::coordinator_test;

namespace {

// Polls the admin queue for the result of one request.
struct admin_result {
    rd_kafka_queue_t* queue;
    rd_kafka_event_t* event = nullptr;
    explicit admin_result(rd_kafka_t* rk) : queue(rd_kafka_queue_new(rk)) {}
    ~admin_result() {
        if (event) rd_kafka_event_destroy(event);
        rd_kafka_queue_destroy(queue);
    }
    rd_kafka_event_t* wait() {
        event = rd_kafka_queue_poll(queue, 30000);
        REQUIRE(event != nullptr);
        REQUIRE_MESSAGE(rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR,
                        rd_kafka_event_error_string(event));
        return event;
    }
};

std::map<std::string, rd_kafka_consumer_group_state_t> list_groups(rd_kafka_t* admin) {
    admin_result r(admin);
    rd_kafka_ListConsumerGroups(admin, nullptr, r.queue);
    const rd_kafka_ListConsumerGroups_result_t* res = rd_kafka_event_ListConsumerGroups_result(r.wait());
    REQUIRE(res != nullptr);
    size_t n = 0, errors = 0;
    const rd_kafka_ConsumerGroupListing_t** groups = rd_kafka_ListConsumerGroups_result_valid(res, &n);
    rd_kafka_ListConsumerGroups_result_errors(res, &errors);
    CHECK(errors == 0);
    std::map<std::string, rd_kafka_consumer_group_state_t> out;
    for (size_t i = 0; i < n; ++i)
        out[rd_kafka_ConsumerGroupListing_group_id(groups[i])] = rd_kafka_ConsumerGroupListing_state(groups[i]);
    return out;
}

struct description {
    rd_kafka_resp_err_t error;
    rd_kafka_consumer_group_state_t state;
    size_t members;
    int coordinator;
};

description describe_group(rd_kafka_t* admin, const std::string& group) {
    admin_result r(admin);
    const char* names[] = {group.c_str()};
    rd_kafka_DescribeConsumerGroups(admin, names, 1, nullptr, r.queue);
    const rd_kafka_DescribeConsumerGroups_result_t* res = rd_kafka_event_DescribeConsumerGroups_result(r.wait());
    REQUIRE(res != nullptr);
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups = rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
    REQUIRE(n == 1);
    const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(groups[0]);
    const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(groups[0]);
    return {e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR_NO_ERROR,
            rd_kafka_ConsumerGroupDescription_state(groups[0]),
            rd_kafka_ConsumerGroupDescription_member_count(groups[0]),
            node ? rd_kafka_Node_id(node) : -1};
}

rd_kafka_resp_err_t delete_group(rd_kafka_t* admin, const std::string& group) {
    admin_result r(admin);
    rd_kafka_DeleteGroup_t* del = rd_kafka_DeleteGroup_new(group.c_str());
    rd_kafka_DeleteGroups(admin, &del, 1, nullptr, r.queue);
    rd_kafka_DeleteGroup_destroy(del);
    const rd_kafka_DeleteGroups_result_t* res = rd_kafka_event_DeleteGroups_result(r.wait());
    REQUIRE(res != nullptr);
    size_t n = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_DeleteGroups_result_groups(res, &n);
    REQUIRE(n == 1);
    const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[0]);
    return e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR_NO_ERROR;
}

// Joins `group`, reads one message and commits it; the member stays until the caller
// closes it.
rk_ptr join_and_commit(const std::string& bootstrap, const std::string& group) {
    rk_ptr consumer = make_consumer(bootstrap, group, {{"enable.auto.commit", "false"}});
    subscribe(consumer.get(), "watched");
    bool got = false;
    for (int polls = 0; polls < 3000 && !got; ++polls) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 50);
        if (m == nullptr) continue;
        got = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_message_destroy(m);
    }
    REQUIRE(got);
    REQUIRE(rd_kafka_commit(consumer.get(), nullptr, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
    return consumer;
}

}  // namespace

TEST_SUITE("coordinator.librdkafka") {
    TEST_CASE("the admin api lists, describes and deletes consumer groups") {
        test_broker broker("group.initial.rebalance.delay.ms=0\n");
        rk_ptr admin = make_client(RD_KAFKA_PRODUCER, broker.bootstrap());
        create_topic(admin.get(), "watched", 2);
        produce(broker.bootstrap(), "watched", 2, {"a", "b", "c", "d"});

        rk_ptr member = join_and_commit(broker.bootstrap(), "watchers");
        description live = describe_group(admin.get(), "watchers");
        CHECK(live.error == RD_KAFKA_RESP_ERR_NO_ERROR);
        CHECK(live.state == RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
        CHECK(live.members == 1);
        CHECK(live.coordinator == 1);
        CHECK(list_groups(admin.get()).count("watchers") == 1);
        // A group with a member cannot be deleted.
        CHECK(delete_group(admin.get(), "watchers") == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);

        CHECK(rd_kafka_consumer_close(member.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
        member.reset();
        // The member left: the group stays, empty, with its committed offsets.
        std::map<std::string, rd_kafka_consumer_group_state_t> groups = list_groups(admin.get());
        REQUIRE(groups.count("watchers") == 1);
        CHECK(groups["watchers"] == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
        CHECK(describe_group(admin.get(), "watchers").state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);

        CHECK(delete_group(admin.get(), "watchers") == RD_KAFKA_RESP_ERR_NO_ERROR);
        CHECK(list_groups(admin.get()).count("watchers") == 0);
        CHECK(delete_group(admin.get(), "watchers") == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
        CHECK(describe_group(admin.get(), "watchers").state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD);
    }
}
