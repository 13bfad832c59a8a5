// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A long-polling Fetch parked until an append to one of its partitions (or its timeout).
#pragma once

#include <memory>

#include <asio.hpp>

namespace eddy::cluster {

// Lives on: the executor of the Fetch that made it (timer and flag are touched only
// there). Partitions hold it by weak_ptr and call notify() from their own executor.
class fetch_waiter : public std::enable_shared_from_this<fetch_waiter> {
public:
    explicit fetch_waiter(asio::any_io_executor ex) : timer_(ex) {}

    // Any thread: marks the fetch woken on its own executor and ends its wait.
    void notify() {
        asio::post(timer_.get_executor(), [self = shared_from_this()] {
            self->woken_ = true;
            self->timer_.cancel();
        });
    }

    // The fetch's executor: waits until notify() or `deadline`, unless already woken.
    asio::awaitable<void> wait_until(asio::steady_timer::time_point deadline) {
        if (woken_) co_return;
        timer_.expires_at(deadline);
        asio::error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }

    bool woken() const { return woken_; }

private:
    asio::steady_timer timer_;
    bool woken_ = false;
};

}  // namespace eddy::cluster
