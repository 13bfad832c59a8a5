// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Loading a coordinator shard from its partition's log, one buffer at a time, so a long
// log does not hold the partition's strand (the runtime posts the next step).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "log/log.h"
#include "record/batch.h"

namespace eddy::hosting {

struct load_step_result {
    bool done = false;  // `offset` reached the log end: the shard is loaded
    std::string error;  // not empty: the log could not be read or a batch not replayed
};

// Called for each whole batch in log order; false (with `error` set) stops the load.
using batch_visitor = std::function<bool(const record::batch_view& batch, std::string& error)>;

// Reads the whole batches of `log` from `offset` (raised to the log start) below the log
// end, about `buffer_size` bytes of them (at least one batch), into `buffer`; gives each to
// `each` and moves `offset` past it. Done, without reading, once `offset` is at the end.
load_step_result load_batches(log::log& log, int64_t& offset, uint32_t buffer_size,
                              std::vector<uint8_t>& buffer, const batch_visitor& each);

}  // namespace eddy::hosting
