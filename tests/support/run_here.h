// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: runs an awaitable to completion in the calling thread.
#pragma once

#include <asio.hpp>

namespace eddy::test {

// The calling thread's io_context, alive until the thread ends. A handler that hops to an
// executor thread and back is posted here by that thread, which signals this scheduler's
// condition variable after releasing its lock, so it may still be signalling when run()
// has already returned: an io_context made per call would be destroyed under it
// (ThreadSanitizer reports the race; it is a use after free).
inline asio::io_context& this_thread_io_context() {
    static thread_local asio::io_context io;
    return io;
}

// Runs `a` on this_thread_io_context() until it completes; rethrows what it throws.
template <class T>
T run_here(asio::awaitable<T> a) {
    asio::io_context& io = this_thread_io_context();
    io.restart();
    auto f = asio::co_spawn(io, std::move(a), asio::use_future);
    io.run();
    return f.get();
}

}  // namespace eddy::test
