// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A whole broker in one object: config -> log dirs -> metadata quorum + controller ->
// network + router. Used by main() and by tests that want a real broker in their process.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/router.h"
#include "cluster/replica_manager.h"
#include "config/broker_config.h"
#include "config/properties.h"
#include "metadata/metadata_image.h"
#include "net/server.h"

namespace eddy::server {

class connection_limits_follower;

class metadata_service;

// Lives on: the controlling thread (main or a test) for start()/stop(); it runs its
// own network threads.
class broker_server {
public:
    // `props` are the server.properties the config was read from (with overrides): the
    // controller takes Kafka's broker settings it has no typed field for from there
    // (auto.create.topics.enable, default.replication.factor, metadata.log.dir,
    // controller.quorum.voters, the log.* defaults of topic configs, ...).
    explicit broker_server(config::broker_config cfg, config::properties props = {});
    ~broker_server();  // stop()

    // Components that follow the cluster metadata subscribe here, before start(): each
    // sees every new image in order, starting with the one replayed at start-up (inside
    // start(), on its thread), then on the metadata thread (e.g. a replica manager creating
    // partition logs).
    void on_image(std::function<void(metadata::image_ptr)> subscriber);

    // Prepares the log dirs (meta.properties), binds every listener, recovers and replays
    // the metadata log (bootstrapping a new cluster), and starts serving. Throws on a
    // startup failure. Returns the bound listeners (with real ports when port 0 was
    // configured).
    std::vector<net::bound_listener> start();
    void stop();

    const std::string& cluster_id() const { return broker_->cluster_id; }
    // The latest metadata image (after start()).
    metadata::image_ptr image() const;

private:
    config::broker_config cfg_;
    config::properties props_;
    std::shared_ptr<broker::broker_info> broker_;
    std::vector<std::function<void(metadata::image_ptr)>> image_subscribers_;
    std::shared_ptr<metadata_service> metadata_;
    std::shared_ptr<cluster::replica_manager> replicas_;  // the partitions led here
    std::shared_ptr<const broker::router> router_;
    std::unique_ptr<net::server> net_;
    std::shared_ptr<connection_limits_follower> connection_limits_;
};

// main(): sets the log level, starts, prints "eddy: listening on NAME://host:port"
// per listener, waits for SIGINT/SIGTERM, stops. Returns the exit code.
int run_until_signalled(const config::broker_config& cfg, const config::properties& props = {});

}  // namespace eddy::server
