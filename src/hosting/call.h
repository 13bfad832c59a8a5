// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Completing a coroutine that waits for a call on a hosted shard.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <asio.hpp>

#include "eddy/error_code.h"

namespace eddy::hosting {

// What a shard call ended with: `error` is none when `response` is the shard's answer;
// otherwise the handler answers with `error` (NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS, or the error of a failed append).
template <class Response>
struct outcome {
    error_code error = error_code::none;
    Response response{};
};

// Wraps the move-only completion handler of an async_initiate into a copyable
// deliver(error, response) that the shard's callbacks can carry: the first call completes
// the waiting coroutine on its own executor, later calls do nothing.
template <class Response, class Handler>
std::function<void(error_code, Response)> deliver_once(Handler handler) {
    auto h = std::make_shared<std::optional<Handler>>(std::move(handler));
    return [h](error_code e, Response r) {
        if (!h->has_value()) return;
        Handler done = std::move(**h);
        h->reset();
        auto ex = asio::get_associated_executor(done);
        asio::post(ex, [done = std::move(done), e, r = std::move(r)]() mutable {
            std::move(done)(outcome<Response>{e, std::move(r)});
        });
    };
}

}  // namespace eddy::hosting
