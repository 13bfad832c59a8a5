// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The one timer of a hosted shard: set for the shard's next deadline after every call.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <asio.hpp>

#include "common/wall_clock.h"
#include "hosting/hosting.h"

namespace eddy::hosting {

// Slot: with `shard` (next_deadline(), on_timer(now_ms)), `timer` (an asio::steady_timer on
// the slot's strand) and `state`. Sets the timer for the shard's next deadline, or cancels
// it when there is none; when it fires while the slot is loaded, the shard's on_timer()
// runs on the strand and then after(), which appends what it wrote and re-arms the timer.
template <class Slot, class After>
void arm_shard_timer(const std::shared_ptr<Slot>& s, After after) {
    std::optional<int64_t> deadline = s->shard->next_deadline();
    if (!deadline) {
        s->timer.cancel();
        return;
    }
    s->timer.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, *deadline - wall_clock_ms())));
    s->timer.async_wait([s, after](asio::error_code ec) {
        if (ec == asio::error::operation_aborted || s->state.load() != slot_state::loaded) return;
        s->shard->on_timer(wall_clock_ms());
        after();
    });
}

}  // namespace eddy::hosting
