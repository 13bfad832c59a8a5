// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The executor under each partition's strand: the partition pool's, except that a
// dispatch made inside a caller_runs_scope runs on the calling thread.
#pragma once

#include <asio/execution.hpp>
#include <asio/execution_context.hpp>
#include <asio/prefer.hpp>
#include <asio/query.hpp>
#include <asio/require.hpp>

#include <type_traits>
#include <utility>

namespace eddy::cluster {

namespace detail {
inline thread_local bool caller_runs_next = false;
}

// While alive, the next dispatch (not post) onto a partition strand that is idle runs
// right here, on this thread, instead of waking a pool thread: a produce request's bytes
// are then written by the thread that has just read them from the socket, while they
// are still in its cache, and neither thread switch happens. A busy strand queues the
// work as always, so the strand still runs one thing at a time, in order. Only the
// first such dispatch runs here; what it dispatches in turn does not.
class caller_runs_scope {
public:
    caller_runs_scope() { detail::caller_runs_next = true; }
    ~caller_runs_scope() { detail::caller_runs_next = false; }
    caller_runs_scope(const caller_runs_scope&) = delete;
    caller_runs_scope& operator=(const caller_runs_scope&) = delete;
};

// Wraps an executor (the pool's) and forwards every property to it. execute() runs the
// function on the calling thread when the executor may block (a dispatch, not a post)
// and a caller_runs_scope asked for it; otherwise it is the wrapped executor's execute().
template <class Inner>
class caller_runs_executor {
public:
    explicit caller_runs_executor(Inner inner) noexcept : inner_(std::move(inner)) {}

    template <class Property>
    auto query(const Property& p) const noexcept
        -> decltype(asio::query(std::declval<const Inner&>(), p)) {
        return asio::query(inner_, p);
    }

    template <class Property>
    auto require(const Property& p) const -> caller_runs_executor<
        std::decay_t<decltype(asio::require(std::declval<const Inner&>(), p))>> {
        return caller_runs_executor<std::decay_t<decltype(asio::require(inner_, p))>>(
            asio::require(inner_, p));
    }

    template <class Property>
    auto prefer(const Property& p) const -> caller_runs_executor<
        std::decay_t<decltype(asio::prefer(std::declval<const Inner&>(), p))>> {
        return caller_runs_executor<std::decay_t<decltype(asio::prefer(inner_, p))>>(
            asio::prefer(inner_, p));
    }

    template <class Function>
    void execute(Function&& f) const {
        if (detail::caller_runs_next &&
            asio::query(inner_, asio::execution::blocking) != asio::execution::blocking.never) {
            detail::caller_runs_next = false;
            std::forward<Function>(f)();
            return;
        }
        asio::execution::execute(inner_, std::forward<Function>(f));
    }

    friend bool operator==(const caller_runs_executor& a, const caller_runs_executor& b) noexcept {
        return a.inner_ == b.inner_;
    }
    friend bool operator!=(const caller_runs_executor& a, const caller_runs_executor& b) noexcept {
        return !(a == b);
    }

private:
    template <class>
    friend class caller_runs_executor;
    Inner inner_;
};

}  // namespace eddy::cluster
