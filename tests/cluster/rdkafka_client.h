// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: an in-process broker on a temporary log directory, and the librdkafka
// clients (producer, consumer, admin) the integration tests drive it with.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/broker_server.h"

namespace eddy::cluster::test {

// A broker on 127.0.0.1 with a free port and a fresh log directory, both gone when it is
// destroyed. `extra_properties` are server.properties lines ("key=value\n...").
class test_broker {
public:
    explicit test_broker(std::string extra_properties = "");
    ~test_broker();

    uint16_t port() const { return port_; }
    std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
    // Stops the broker and starts a new one on the same log directory (on a new port).
    void restart();

    test_broker(const test_broker&) = delete;
    test_broker& operator=(const test_broker&) = delete;

private:
    void start();

    std::filesystem::path dir_;
    std::string extra_properties_;
    std::unique_ptr<server::broker_server> server_;
    uint16_t port_ = 0;
};

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

// Counts delivery reports; pass its address as each message's opaque.
struct delivery {
    int delivered = 0;
    int failed = 0;
};

using settings = std::vector<std::pair<std::string, std::string>>;

// A client of `type` bootstrapped from `bootstrap` (or 127.0.0.1:port), with `extra`
// settings; producers count deliveries in the `delivery` passed as each message's opaque.
rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap, const settings& extra = {});
rk_ptr make_client(rd_kafka_type_t type, uint16_t port, const settings& extra = {});
// CreateTopics through the admin API; checks that it succeeded.
void create_topic(rd_kafka_t* rk, const std::string& name, int partitions);

}  // namespace eddy::cluster::test
