// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One client TCP connection: a reader coroutine, a writer coroutine, and the queue of
// in-flight requests between them, so replies leave in request order.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "net/awaitable.h"
#include "net/frame_handler.h"

namespace eddy::net {

struct connection_options {
    size_t max_frame_bytes = 104857600;  // socket.request.max.bytes
    size_t max_in_flight = 64;           // requests read but not yet answered
    // connections.max.idle.ms: a connection that has read and written nothing for this
    // long, with no request in flight, is closed; negative: never.
    std::chrono::milliseconds max_idle{600000};
};

// Lives on: the io_context that owns its socket (one thread); every member is touched
// only there. Other threads reach it with asio::post (see close_from_any_thread).
// Lifetime: a shared_ptr kept alive by the by-value `self` parameter of its reader,
// writer and request coroutines; it dies when the last of them returns.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(asio::ip::tcp::socket socket, std::shared_ptr<const peer_info> peer,
               frame_handler handler, connection_options options,
               std::function<void(uint64_t id)> on_closed);
    ~connection();

    // Spawns the reader and writer.
    void start();
    // Closes the socket and wakes both coroutines. Idempotent. Connection thread only.
    void close();
    // Posts close() to the connection's executor.
    void close_from_any_thread();

    const peer_info& peer() const { return *peer_; }

private:
    struct pending {
        bool ready = false;
        reply result;
    };

    static awaitable<void> read_loop(std::shared_ptr<connection> self);
    // Reads until rx_ holds at least `need` (<= rx_capacity) unread bytes; false on EOF
    // or error. `self` is kept alive by the reader that awaits this.
    static awaitable<bool> fill_rx(connection* self, size_t need);
    static awaitable<void> write_loop(std::shared_ptr<connection> self);
    // Closes the connection once it has been idle for options_.max_idle.
    static awaitable<void> idle_watch(std::shared_ptr<connection> self);
    static awaitable<void> run_request(std::shared_ptr<connection> self,
                                       std::shared_ptr<pending> slot, frame_bytes frame);
    void spawn(awaitable<void> task, const char* what);
    // Writes one reply frame; false when the socket failed. `self` is kept alive by the
    // writer coroutine that awaits this.
    static awaitable<bool> write_reply(connection* self, const reply& r);
    // sendfile(2) of `range` to the socket, waiting for writability; false on failure
    // (including a file shorter than promised: the frame cannot be completed).
    static awaitable<bool> send_file(connection* self, const file_range& range);
    void wake(asio::steady_timer& timer) { timer.cancel(); }

    asio::ip::tcp::socket socket_;
    std::shared_ptr<const peer_info> peer_;
    frame_handler handler_;
    connection_options options_;
    std::function<void(uint64_t)> on_closed_;
    std::deque<std::shared_ptr<pending>> queue_;  // request order
    asio::steady_timer writer_wake_;              // cancelled when the queue's head may be ready
    asio::steady_timer reader_wake_;              // cancelled when the queue has room again
    asio::steady_timer idle_timer_;               // idle_watch's; cancelled by close()
    // The last time bytes were read or a reply written: a clock read per socket read or
    // reply, where a timer re-armed per request would cost a timer-queue update each.
    std::chrono::steady_clock::time_point last_active_ = std::chrono::steady_clock::now();
    // Bytes read from the socket and not yet framed: rx_[rx_begin_, rx_end_). Allocated
    // on the first read and never zero-filled.
    static constexpr size_t rx_capacity = 64 * 1024;
    std::unique_ptr<uint8_t[]> rx_;
    size_t rx_begin_ = 0;
    size_t rx_end_ = 0;
    bool reader_done_ = false;
    bool closed_ = false;
};

}  // namespace eddy::net
