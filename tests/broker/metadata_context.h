// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The context a Metadata request of one version arrives with: broker 5 of cluster-1, whose
// PLAINTEXT listener is broker.example:9092, asked over that listener.
#pragma once

#include <cstdint>
#include <memory>

#include "broker/request_context.h"

namespace eddy::test {

inline broker::request_context metadata_context(int16_t version) {
    auto info = std::make_shared<broker::broker_info>();
    info->node_id = 5;
    info->cluster_id = "cluster-1";
    info->endpoints.push_back({"PLAINTEXT", "broker.example", 9092});
    auto client = std::make_shared<broker::client_info>();
    client->listener_name = "PLAINTEXT";
    broker::request_context ctx;
    ctx.api_key = 3;
    ctx.api_version = version;
    ctx.broker = info;
    ctx.client = client;
    return ctx;
}

}  // namespace eddy::test
