// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "rdkafka_broker.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <random>

namespace eddy::coordinator_test {

test_broker::test_broker(std::string extra) : extra_(std::move(extra)) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("eddy_groups_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::remove_all(dir_);
    start();
}

test_broker::~test_broker() {
    server_.reset();
    std::filesystem::remove_all(dir_);
}

void test_broker::start() {
    std::string text = "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=2\n"
                       "log.dirs=" + dir_.string() + "\n" + extra_;
    config::properties props = config::parse_properties(text);
    server_ = std::make_unique<server::broker_server>(config::config_from_properties(props), props);
    port_ = server_->start().at(0).endpoint.port();
}

void test_broker::restart() {
    server_->stop();
    server_.reset();
    start();
}

rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap, const settings& extra) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err) ==
            RD_KAFKA_CONF_OK);
    for (const auto& [k, v] : extra)
        REQUIRE_MESSAGE(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK, err);
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    REQUIRE_MESSAGE(rk != nullptr, err);
    return rk_ptr(rk);
}

rk_ptr make_consumer(const std::string& bootstrap, const std::string& group, const settings& extra) {
    settings all{{"group.id", group},
                 {"auto.offset.reset", "earliest"},
                 {"session.timeout.ms", "6000"},
                 {"heartbeat.interval.ms", "500"}};
    all.insert(all.end(), extra.begin(), extra.end());
    rk_ptr rk = make_client(RD_KAFKA_CONSUMER, bootstrap, all);
    rd_kafka_poll_set_consumer(rk.get());
    return rk;
}

void create_topic(rd_kafka_t* rk, const std::string& name, int partitions) {
    char err[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof err);
    REQUIRE(nt != nullptr);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    REQUIRE(ev != nullptr);
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    REQUIRE(res != nullptr);
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
    REQUIRE(n == 1);
    CHECK(rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

namespace {

void count_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto* failed = static_cast<int*>(m->_private);
    if (m->err) ++*failed;
}

}  // namespace

void produce(const std::string& bootstrap, const std::string& topic, int partitions,
             const std::vector<std::string>& values) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
    rk_ptr producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
    REQUIRE_MESSAGE(producer != nullptr, err);
    int failed = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
            RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % partitions)),
            RD_KAFKA_V_VALUE(const_cast<char*>(values[i].data()), values[i].size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&failed), RD_KAFKA_V_END);
        REQUIRE(e == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    REQUIRE(rd_kafka_flush(producer.get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(failed == 0);
}

void subscribe(rd_kafka_t* consumer, const std::string& topic) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
    REQUIRE(rd_kafka_subscribe(consumer, list) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace eddy::coordinator_test
