// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/connection.h"

#include "net/frame.h"
#include "net/logger.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>

namespace eddy::net {
namespace {

// A frame body is made room for in steps that at most double what has arrived, so a
// client that announces 100 MB and sends nothing costs at most 64 KiB of room, not
// 100 MB (frame_bytes does not zero-fill the room, so untouched pages stay unmapped).
constexpr size_t first_read_step = 64 * 1024;
// Reserved for a body once its size is known, so the steps above land in one
// allocation instead of a chain of reallocations that each copy what has arrived
// (and fault in fresh pages): address space only, pages are touched step by step.
// Larger bodies grow from there.
constexpr size_t eager_reserve = 4 * 1024 * 1024;
// While a large body is missing at least this much, the socket's receive low-water mark
// (SO_RCVLOWAT) is raised so that the reader is woken once per that many bytes, not for
// every segment burst (about 64 KiB on loopback): each wake-up is a recv(2) that drains
// the socket, a second one that finds it empty, and an epoll_wait(2).
constexpr size_t min_raised_low_water = 128 * 1024;
constexpr size_t max_low_water = 512 * 1024;

// Best effort: a socket that refuses only wakes the reader more often.
void set_low_water(asio::ip::tcp::socket& socket, size_t bytes) {
    int value = static_cast<int>(bytes);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVLOWAT, &value, sizeof value);
}

}  // namespace

connection::connection(asio::ip::tcp::socket socket, std::shared_ptr<const peer_info> peer,
                       frame_handler handler, connection_options options,
                       std::function<void(uint64_t)> on_closed)
    : socket_(std::move(socket)),
      peer_(std::move(peer)),
      handler_(std::move(handler)),
      options_(options),
      on_closed_(std::move(on_closed)),
      writer_wake_(socket_.get_executor()),
      reader_wake_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()) {
    writer_wake_.expires_at(asio::steady_timer::time_point::max());
    reader_wake_.expires_at(asio::steady_timer::time_point::max());
}

connection::~connection() {
    if (on_closed_) on_closed_(peer_->connection_id);
}

void connection::start() {
    spawn(read_loop(shared_from_this()), "reader");
    spawn(write_loop(shared_from_this()), "writer");
    if (options_.max_idle.count() >= 0) spawn(idle_watch(shared_from_this()), "idle watch");
}

// Never asio::detached: an exception escaping a coroutine is logged and the
// connection closed, so one bad request cannot take the process down.
void connection::spawn(awaitable<void> task, const char* what) {
    asio::co_spawn(
        socket_.get_executor(), std::move(task),
        [self = shared_from_this(), what](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                wire_log().error("connection {} ({}): {} failed: {}", self->peer_->connection_id,
                                 self->peer_->remote_address, what, e.what());
            } catch (...) {
                wire_log().error("connection {}: {} failed", self->peer_->connection_id, what);
            }
            self->close();
        });
}

void connection::close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    wake(writer_wake_);
    wake(reader_wake_);
    wake(idle_timer_);
}

void connection::close_from_any_thread() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
}

awaitable<bool> connection::fill_rx(connection* self, size_t need) {
    if (self->rx_end_ - self->rx_begin_ >= need) co_return true;
    if (!self->rx_) self->rx_.reset(new uint8_t[rx_capacity]);  // uninitialised on purpose
    // Move the unread tail (less than `need`, at most a few bytes) to the front.
    const size_t left = self->rx_end_ - self->rx_begin_;
    if (self->rx_begin_ > 0) {
        std::memmove(self->rx_.get(), self->rx_.get() + self->rx_begin_, left);
        self->rx_begin_ = 0;
        self->rx_end_ = left;
    }
    while (self->rx_end_ < need) {
        auto [ec, got] = co_await self->socket_.async_read_some(
            asio::buffer(self->rx_.get() + self->rx_end_, rx_capacity - self->rx_end_), use_tuple);
        if (ec) co_return false;
        self->rx_end_ += got;
        self->last_active_ = std::chrono::steady_clock::now();
    }
    co_return true;
}

awaitable<void> connection::read_loop(std::shared_ptr<connection> self) {
    while (!self->closed_) {
        // Backpressure: stop reading while too many requests are unanswered.
        while (!self->closed_ && self->queue_.size() >= self->options_.max_in_flight) {
            co_await self->reader_wake_.async_wait(use_tuple);
        }
        if (self->closed_) break;

        // Reads go through rx_ so that one recv(2) can bring several small frames, or a
        // frame's size prefix together with the start of its body.
        bool have_prefix = co_await fill_rx(self.get(), 4);
        if (!have_prefix) break;  // EOF or reset: the writer still drains what is queued
        const uint8_t* prefix = self->rx_.get() + self->rx_begin_;
        frame_check check = check_frame(prefix, 4, self->options_.max_frame_bytes);
        if (check.st == frame_check::status::invalid) {
            wire_log().warn("connection {} ({}): frame size {} is negative or above {}; closing",
                            self->peer_->connection_id, self->peer_->remote_address,
                            decode_frame_size(prefix), self->options_.max_frame_bytes);
            self->close();
            break;
        }
        self->rx_begin_ += 4;
        const size_t want = check.body_size;
        frame_bytes body;
        body.reserve(std::min(want, eager_reserve));
        // What rx_ already holds of the body, then the rest straight from the socket.
        const size_t buffered = std::min(want, self->rx_end_ - self->rx_begin_);
        // resize + memcpy, not insert(): with a non-std allocator, vector's range insert
        // copies one byte at a time (7% of the broker's CPU on 1 KiB produce).
        if (buffered > 0) {
            body.resize(buffered);
            std::memcpy(body.data(), self->rx_.get() + self->rx_begin_, buffered);
        }
        self->rx_begin_ += buffered;
        bool failed = false;
        // The low-water mark never exceeds what the body still misses (the reader would
        // wait for bytes that never come), so it is lowered as the body fills.
        size_t low_water = 1;
        while (body.size() < want) {
            const size_t missing = want - body.size();
            const size_t wanted_low =
                missing >= min_raised_low_water ? std::min(missing, max_low_water) : 1;
            if (wanted_low < low_water || (low_water == 1 && wanted_low > 1)) {
                set_low_water(self->socket_, wanted_low);
                low_water = wanted_low;
            }
            size_t step = std::min(missing, std::max(first_read_step, body.size()));
            size_t have = body.size();
            body.resize(have + step);
            auto [rec, got] = co_await self->socket_.async_read_some(
                asio::buffer(body.data() + have, step), use_tuple);
            body.resize(have + got);
            self->last_active_ = std::chrono::steady_clock::now();
            if (rec) {
                failed = true;
                break;
            }
        }
        if (low_water != 1 && !failed) set_low_water(self->socket_, 1);
        if (failed) break;

        auto slot = std::make_shared<pending>();
        self->queue_.push_back(slot);
        self->spawn(run_request(self, slot, std::move(body)), "request");
    }
    self->reader_done_ = true;
    self->wake(self->writer_wake_);
}

awaitable<void> connection::run_request(std::shared_ptr<connection> self,
                                        std::shared_ptr<pending> slot, frame_bytes frame) {
    reply r = co_await self->handler_(self->peer_, std::move(frame));
    slot->result = std::move(r);
    slot->ready = true;
    self->wake(self->writer_wake_);
}

awaitable<void> connection::write_loop(std::shared_ptr<connection> self) {
    while (!self->closed_) {
        if (self->queue_.empty() || !self->queue_.front()->ready) {
            if (self->queue_.empty() && self->reader_done_) break;
            co_await self->writer_wake_.async_wait(use_tuple);
            continue;
        }
        std::shared_ptr<pending> head = std::move(self->queue_.front());
        self->queue_.pop_front();
        // Not idle while this reply goes out, though the queue may now be empty.
        self->last_active_ = std::chrono::steady_clock::now();
        self->wake(self->reader_wake_);
        if (head->result.what == reply::kind::close) break;
        if (head->result.what == reply::kind::none) continue;

        bool ok = co_await write_reply(self.get(), head->result);
        if (!ok) break;
        self->last_active_ = std::chrono::steady_clock::now();
    }
    self->close();
}

// Kafka's processors close connections idle past connections.max.idle.ms, so clients
// that vanished without a FIN (a cut network, a suspended host) do not hold a broker's
// sockets and buffers for ever. A request in flight (a long-polling Fetch, a JoinGroup
// waiting for its group) counts as activity.
awaitable<void> connection::idle_watch(std::shared_ptr<connection> self) {
    const auto limit = self->options_.max_idle;
    while (!self->closed_) {
        self->idle_timer_.expires_at(self->last_active_ + limit);
        co_await self->idle_timer_.async_wait(use_tuple);
        if (self->closed_) break;
        const auto now = std::chrono::steady_clock::now();
        if (!self->queue_.empty()) {
            self->last_active_ = now;
        } else if (now - self->last_active_ >= limit) {
            wire_log().debug("connection {} ({}): idle for {} ms; closing", self->peer_->connection_id,
                             self->peer_->remote_address, limit.count());
            self->close();
        }
    }
}

awaitable<bool> connection::write_reply(connection* self, const reply& r) {
    uint64_t total = r.bytes.size();
    for (const reply_piece& p : r.pieces) total += p.bytes.size() + (p.file ? p.file->length : 0);
    auto size = static_cast<uint32_t>(total);
    std::array<uint8_t, 4> prefix{static_cast<uint8_t>(size >> 24),
                                  static_cast<uint8_t>(size >> 16),
                                  static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size)};
    std::array<asio::const_buffer, 2> buffers{asio::buffer(prefix), asio::buffer(r.bytes)};
    auto [ec, n] = co_await asio::async_write(self->socket_, buffers, use_tuple);
    if (ec) co_return false;
    for (const reply_piece& p : r.pieces) {
        if (!p.bytes.empty()) {
            auto [pec, pn] = co_await asio::async_write(self->socket_, asio::buffer(p.bytes), use_tuple);
            if (pec) co_return false;
        }
        if (p.file && p.file->length > 0) {
            bool sent = co_await send_file(self, *p.file);
            if (!sent) co_return false;
        }
    }
    co_return true;
}

awaitable<bool> connection::send_file(connection* self, const file_range& range) {
    asio::error_code nb_ec;
    self->socket_.native_non_blocking(true, nb_ec);
    if (nb_ec) co_return false;
    off_t offset = static_cast<off_t>(range.offset);
    size_t left = range.length;
    while (left > 0) {
        ssize_t n = ::sendfile(self->socket_.native_handle(), range.fd, &offset, left);
        if (n > 0) {
            left -= static_cast<size_t>(n);
            self->last_active_ = std::chrono::steady_clock::now();  // a slow reader is not idle
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            auto [ec] = co_await self->socket_.async_wait(asio::ip::tcp::socket::wait_write, use_tuple);
            if (ec) co_return false;
            continue;
        }
        if (n == 0) {
            wire_log().error("connection {}: file ended {} bytes before the range sent; closing",
                             self->peer_->connection_id, left);
        }
        co_return false;
    }
    co_return true;
}

}  // namespace eddy::net
