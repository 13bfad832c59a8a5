// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: requests to a group or transaction coordinator that may still be loading,
// retried as a client retries them.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "eddy/error_code.h"
#include "eddy/msg/find_coordinator_request.h"
#include "eddy/msg/find_coordinator_response.h"
#include "error_code_value.h"
#include "kafka_client.h"

namespace eddy::test {

// The errors a client answers by asking again (the coordinator is being made or loaded).
inline bool coordinator_busy(int16_t error) {
    return error == code(error_code::coordinator_load_in_progress) ||
           error == code(error_code::coordinator_not_available) ||
           error == code(error_code::not_coordinator) ||
           error == code(error_code::concurrent_transactions);
}

// Calls until error_of(response) is not a busy coordinator's error (or 600 tries, 50 ms
// apart: a back-off, not a bound asserted on); returns the last answer.
template <class Resp, class Req, class ErrorOf>
Resp until_coordinator_ready(kafka_client& client, const Req& req, int16_t version, ErrorOf error_of) {
    for (int attempt = 0;; ++attempt) {
        auto r = client.call<Resp>(req, version);
        REQUIRE(r);
        if (!coordinator_busy(error_of(r->body)) || attempt == 600) return r->body;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// As a client does first: the coordinator's internal topic is made on demand.
inline void find_coordinator(kafka_client& client, const std::string& key, int8_t key_type) {
    msg::find_coordinator_request req;
    req.key = key;
    req.key_type = key_type;
    auto found = until_coordinator_ready<msg::find_coordinator_response>(
        client, req, 3, [](const auto& b) { return b.error_code; });
    REQUIRE(found.error_code == 0);
}

}  // namespace eddy::test
