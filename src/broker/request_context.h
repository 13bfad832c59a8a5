// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Everything a handler gets besides the decoded request. Independent of net/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/broker_info.h"

namespace eddy::broker {

// The connection a request came on, copied out of the network layer.
struct client_info {
    uint64_t connection_id = 0;
    std::string listener_name;
    std::string remote_address;
};

// Owns its data, so a handler coroutine may keep it across suspensions.
struct request_context {
    int16_t api_key = 0;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    std::string client_id;  // a null client id is treated as empty, as Kafka does
    std::shared_ptr<const client_info> client;
    std::shared_ptr<const broker_info> broker;
};

}  // namespace eddy::broker
