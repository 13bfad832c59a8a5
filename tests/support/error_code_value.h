// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// code(e): the int16 an error code is on the wire, to compare with a response's error field.
#pragma once

#include <cstdint>

#include "eddy/error_code.h"

namespace eddy {

// In namespace eddy, beside error_code, so that argument-dependent lookup finds it from every
// test's own namespace.
constexpr int16_t code(error_code e) { return static_cast<int16_t>(e); }

}  // namespace eddy
