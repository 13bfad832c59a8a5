// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The one exception type of the config module: thrown at startup only, never once serving.
#pragma once

#include <stdexcept>

namespace eddy::config {

// A configuration the broker cannot start with. The message names the key or line.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace eddy::config
