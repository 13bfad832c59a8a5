// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: an in-process broker on a temporary directory (restartable on the same
// directory), and the few librdkafka calls the group tests share.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/broker_server.h"

namespace eddy::coordinator_test {

class test_broker {
public:
    // `extra` lines are appended to the server.properties.
    explicit test_broker(std::string extra = {});
    ~test_broker();  // stops and removes the directory
    // Stops the broker and starts a new one on the same log directory (a new port).
    void restart();
    std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    void start();

    std::filesystem::path dir_;
    std::string extra_;
    std::unique_ptr<server::broker_server> server_;
    uint16_t port_ = 0;
};

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;
using settings = std::vector<std::pair<std::string, std::string>>;

rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap, const settings& extra = {});
// A consumer in `group` reading from the earliest offset, with the short session timeout
// Kafka's minimum allows.
rk_ptr make_consumer(const std::string& bootstrap, const std::string& group,
                     const settings& extra = {});
void create_topic(rd_kafka_t* rk, const std::string& name, int partitions);
// Produces values[i] to partition i % partitions and waits until every one is delivered.
void produce(const std::string& bootstrap, const std::string& topic, int partitions,
             const std::vector<std::string>& values);
void subscribe(rd_kafka_t* consumer, const std::string& topic);

}  // namespace eddy::coordinator_test
