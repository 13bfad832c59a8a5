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
    explicit test_broker(const std::string& extra_properties = "");
    ~test_broker();

    uint16_t port() const { return port_; }

    test_broker(const test_broker&) = delete;
    test_broker& operator=(const test_broker&) = delete;

private:
    std::filesystem::path dir_;
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

// A client of `type` bootstrapped from 127.0.0.1:port, with `extra` settings.
rk_ptr make_client(rd_kafka_type_t type, uint16_t port,
                   const std::vector<std::pair<std::string, std::string>>& extra = {});
// CreateTopics through the admin API; checks that it succeeded.
void create_topic(rd_kafka_t* rk, const std::string& name, int partitions);

}  // namespace eddy::cluster::test
