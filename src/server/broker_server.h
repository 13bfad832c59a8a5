// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A whole broker in one object: config -> log dirs -> network + router. Used by
// main() and by tests that want a real broker in their own process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "broker/router.h"
#include "config/broker_config.h"
#include "net/server.h"

namespace eddy::server {

// Lives on: the controlling thread (main or a test) for start()/stop(); it runs its
// own network threads.
class broker_server {
public:
    explicit broker_server(config::broker_config cfg);
    ~broker_server();  // stop()

    // Prepares the log dirs (meta.properties), binds every listener and starts
    // serving. Throws on a startup failure. Returns the bound listeners (with real
    // ports when port 0 was configured).
    std::vector<net::bound_listener> start();
    void stop();

    const std::string& cluster_id() const { return broker_->cluster_id; }

private:
    config::broker_config cfg_;
    std::shared_ptr<broker::broker_info> broker_;
    std::shared_ptr<const broker::router> router_;
    std::unique_ptr<net::server> net_;
};

// main(): sets the log level, starts, prints "eddy: listening on NAME://host:port"
// per listener, waits for SIGINT/SIGTERM, stops. Returns the exit code.
int run_until_signalled(const config::broker_config& cfg);

}  // namespace eddy::server
