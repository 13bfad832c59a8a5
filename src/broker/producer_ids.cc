// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/producer_ids.h"

namespace eddy::broker {

bool producer_id_source::take(int64_t& id) {
    std::lock_guard lock(mutex_);
    while (!blocks_.empty() && blocks_.front().size <= 0) blocks_.pop_front();
    if (blocks_.empty()) return false;
    producer_id_range& block = blocks_.front();
    id = block.first++;
    --block.size;
    return true;
}

asio::awaitable<producer_id_result> producer_id_source::next() {
    int64_t id = -1;
    if (take(id)) co_return producer_id_result{error_code::none, id};
    // Callers that find the blocks empty at the same time each fetch one: a block may go
    // partly unused, but no id is ever given twice.
    auto allocation = metadata_->allocate_producer_ids();
    producer_id_range block = co_await std::move(allocation);
    if (block.error_code != 0 || block.size <= 0) {
        co_return producer_id_result{error_code::coordinator_load_in_progress, -1};
    }
    {
        std::lock_guard lock(mutex_);
        blocks_.push_back(block);
    }
    if (take(id)) co_return producer_id_result{error_code::none, id};
    co_return producer_id_result{error_code::coordinator_load_in_progress, -1};
}

}  // namespace eddy::broker
