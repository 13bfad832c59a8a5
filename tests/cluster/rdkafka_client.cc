// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "rdkafka_client.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <random>

#include "config/broker_config.h"

namespace eddy::cluster::test {
namespace {

// The per-message opaque is the test's delivery counter.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    auto* d = static_cast<delivery*>(m->_private);
    if (d == nullptr) return;
    if (m->err) ++d->failed;
    else ++d->delivered;
}

}  // namespace

test_broker::test_broker(std::string extra_properties) : extra_properties_(std::move(extra_properties)) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("eddy_rdk_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    std::filesystem::remove_all(dir_);
    start();
}

test_broker::~test_broker() {
    server_->stop();
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void test_broker::start() {
    const std::string text = "node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" +
                             dir_.string() + "\n" + extra_properties_;
    config::properties props = config::parse_properties(text);
    server_ = std::make_unique<server::broker_server>(config::config_from_properties(props), props);
    port_ = server_->start().at(0).endpoint.port();
}

void test_broker::restart() {
    server_->stop();
    server_.reset();
    start();
}

rk_ptr make_client(rd_kafka_type_t type, uint16_t port, const settings& extra) {
    return make_client(type, "127.0.0.1:" + std::to_string(port), extra);
}

rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap, const settings& extra) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[512];
    REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
    for (const auto& [k, v] : extra)
        REQUIRE_MESSAGE(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK, err);
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    REQUIRE_MESSAGE(rk != nullptr, err);
    return rk_ptr(rk);
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

}  // namespace eddy::cluster::test
