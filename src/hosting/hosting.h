// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A hosted coordinator shard's load state and the errors its runtime answers with.
#pragma once

#include <cstdint>

#include "eddy/error_code.h"

namespace eddy::hosting {

// loading: replaying its partition's log; loaded: serving calls; unloaded: no longer led
// here, stopped, or its log could not be read.
enum class slot_state : int { loading, loaded, unloaded };

// What a call answers instead of running: COORDINATOR_LOAD_IN_PROGRESS while loading,
// NOT_COORDINATOR once unloaded, NONE when loaded.
error_code call_error(slot_state state);

// The error a client gets when the coordinator's own write failed, as Kafka's coordinators
// map the append errors of their writes: NOT_COORDINATOR (the partition moved or its disk
// failed), COORDINATOR_NOT_AVAILABLE (it cannot take writes now), the producer's own error
// for a transactional write refused for its producer, else UNKNOWN_SERVER_ERROR.
error_code write_error(error_code append_error);

}  // namespace eddy::hosting
