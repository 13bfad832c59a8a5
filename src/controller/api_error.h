// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A Kafka error code with the message Kafka sends beside it (Kafka's ApiError).
#pragma once

#include <optional>
#include <string>

#include "eddy/error_code.h"

namespace eddy::controller {

struct api_error {
    error_code code = error_code::none;
    std::optional<std::string> message;  // null: the client prints the code's own text

    bool failed() const { return code != error_code::none; }
    int16_t code_value() const { return wire_code(code); }
};

inline api_error fail(error_code code, std::string message) { return {code, std::move(message)}; }

}  // namespace eddy::controller
