// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: a whole broker in this process on 127.0.0.1 (an OS-chosen port) over a private
// data dir, stopped and removed by the destructor.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "server/broker_server.h"

namespace eddy::test {

struct in_process_broker {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("eddy_it_" + std::to_string(::getpid()));
    std::unique_ptr<server::broker_server> server;
    uint16_t port = 0;

    // `extra`: more server.properties lines, each ending in a newline.
    explicit in_process_broker(const std::string& extra = "") {
        std::filesystem::remove_all(dir);
        config::properties props = config::parse_properties(
            "listeners=PLAINTEXT://127.0.0.1:0\nnum.network.threads=2\nlog.dirs=" + dir.string() + "\n" + extra);
        server = std::make_unique<server::broker_server>(config::config_from_properties(props), props);
        port = server->start().at(0).endpoint.port();
    }
    ~in_process_broker() {
        server->stop();
        std::filesystem::remove_all(dir);
    }
};

}  // namespace eddy::test
