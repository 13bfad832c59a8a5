// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Hands out producer ids for InitProducerId from blocks the controller allocates (Kafka's
// RPCProducerIdManager): a block of 1000 at a time, recorded in the metadata log, so ids
// never repeat across restarts.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include <asio.hpp>

#include "broker/cluster_metadata.h"
#include "eddy/error_code.h"

namespace eddy::broker {

struct producer_id_result {
    error_code error = error_code::none;
    int64_t producer_id = -1;
};

// Thread-safe. InitProducerId is rare next to Produce: a short mutex here is off the data
// path.
class producer_id_source {
public:
    explicit producer_id_source(std::shared_ptr<cluster_metadata> metadata)
        : metadata_(std::move(metadata)) {}

    // The next unused id. COORDINATOR_LOAD_IN_PROGRESS (retriable, as Kafka answers when
    // no block is available yet) when the controller could not allocate one.
    asio::awaitable<producer_id_result> next();

private:
    bool take(int64_t& id);

    std::shared_ptr<cluster_metadata> metadata_;
    std::mutex mutex_;
    std::deque<producer_id_range> blocks_;  // unused ranges, oldest first
};

}  // namespace eddy::broker
