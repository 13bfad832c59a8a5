// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/server.h"

#include "test_client.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace eddy;
using eddy::test::raw_client;

namespace {

net::server_options loopback(size_t threads, size_t max_frame = 1024) {
    net::server_options o;
    o.listeners.push_back({"PLAINTEXT", "127.0.0.1", 0});
    o.threads = threads;
    o.connection.max_frame_bytes = max_frame;
    return o;
}

// Echoes the frame body back.
net::awaitable<net::reply> echo(std::shared_ptr<const net::peer_info>, frame_bytes frame) {
    co_return net::reply{net::reply::kind::send, std::vector<uint8_t>(frame.begin(), frame.end()), {}};
}

// Request 0 waits until request 1 has finished, so the handlers complete in the
// opposite order of arrival.
struct gate_state {
    std::optional<asio::steady_timer> gate;
    bool released = false;
    std::mutex mutex;
    std::vector<uint8_t> completion_order;
};

net::awaitable<net::reply> gated(std::shared_ptr<gate_state> s, frame_bytes frame) {
    uint8_t id = frame.at(0);
    if (id == 0 && !s->released) {
        s->gate.emplace(co_await asio::this_coro::executor);
        s->gate->expires_at(asio::steady_timer::time_point::max());
        co_await s->gate->async_wait(net::use_tuple);
    }
    if (id == 1) {
        s->released = true;
        if (s->gate) s->gate->cancel();
    }
    {
        std::lock_guard lock(s->mutex);
        s->completion_order.push_back(id);
    }
    co_return net::reply{net::reply::kind::send, std::vector<uint8_t>(frame.begin(), frame.end()), {}};
}

// The server's end of a loopback connection, found among this process's descriptors (the
// server runs in the test process): the socket bound to `server_port` whose peer is
// `client_port`. -1 if there is none.
int server_side_socket(uint16_t server_port, uint16_t client_port) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        int fd = std::atoi(entry.path().filename().c_str());
        sockaddr_in local{}, peer{};
        socklen_t n = sizeof local, m = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &n) != 0) continue;
        if (local.sin_family != AF_INET) continue;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &m) != 0) continue;
        if (ntohs(local.sin_port) == server_port && ntohs(peer.sin_port) == client_port) return fd;
    }
    return -1;
}

int socket_option(int fd, int name) {
    int value = 0;
    socklen_t n = sizeof value;
    ::getsockopt(fd, SOL_SOCKET, name, &value, &n);
    return value;
}

}  // namespace

TEST_SUITE("net.server") {
    TEST_CASE("pipelined requests are answered in order even when handlers finish out of order") {
        auto state = std::make_shared<gate_state>();
        // One thread: both handlers share the connection's executor, as in production.
        net::server server(loopback(1),
                           [state](std::shared_ptr<const net::peer_info>, frame_bytes f) {
                               return gated(state, std::move(f));
                           });
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        std::vector<uint8_t> both = test::with_size_prefix({0, 'a'});
        auto second = test::with_size_prefix({1, 'b'});
        both.insert(both.end(), second.begin(), second.end());
        c.send_raw(both);  // one write: the two requests are pipelined
        auto r0 = c.receive_frame();
        auto r1 = c.receive_frame();
        REQUIRE(r0);
        REQUIRE(r1);
        CHECK(*r0 == std::vector<uint8_t>{0, 'a'});
        CHECK(*r1 == std::vector<uint8_t>{1, 'b'});
        server.stop();
        CHECK(state->completion_order == std::vector<uint8_t>{1, 0});
        // The timer belongs to the server's io_context, which dies with the server.
        state->gate.reset();
    }

    TEST_CASE("many connections are served at once across threads") {
        net::server server(loopback(2), echo);
        auto bound = server.start();
        std::vector<std::unique_ptr<raw_client>> clients;
        for (int i = 0; i < 50; ++i)
            clients.push_back(std::make_unique<raw_client>(bound[0].endpoint.port()));
        for (int i = 0; i < 50; ++i) clients[i]->send_frame({static_cast<uint8_t>(i), 1, 2, 3});
        for (int i = 0; i < 50; ++i) {
            auto r = clients[i]->receive_frame();
            REQUIRE(r);
            CHECK(r->at(0) == i);
        }
        server.stop();
    }

    TEST_CASE("a frame body arriving one byte at a time is answered once complete") {
        net::server server(loopback(1), echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        for (uint8_t b : test::with_size_prefix({9, 8, 7, 6, 5})) c.send_raw({b});
        auto r = c.receive_frame();
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{9, 8, 7, 6, 5});
        server.stop();
    }

    // The reader buffers what one recv brings (64 KiB at most) and frames from there:
    // frames smaller than that, larger than that, empty, and size prefixes cut by the
    // buffer's end must all come out whole and in order.
    TEST_CASE("frames of mixed sizes sent in one write are each answered whole, in order") {
        net::server server(loopback(1, 1 << 20), echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        const size_t sizes[] = {0, 1, 5, 65531, 70000, 3, 200000, 65536, 2};
        std::vector<std::vector<uint8_t>> bodies;
        std::vector<uint8_t> all;
        for (size_t i = 0; i < std::size(sizes); ++i) {
            std::vector<uint8_t> body(sizes[i]);
            for (size_t k = 0; k < body.size(); ++k) body[k] = static_cast<uint8_t>(i * 31 + k * 7);
            auto framed = test::with_size_prefix(body);
            all.insert(all.end(), framed.begin(), framed.end());
            bodies.push_back(std::move(body));
        }
        c.send_raw(all);
        for (size_t i = 0; i < bodies.size(); ++i) {
            CAPTURE(i);
            auto r = c.receive_frame();
            REQUIRE(r);
            CHECK(*r == bodies[i]);
        }
        server.stop();
    }

    // A large body raises the socket's receive low-water mark so that the reader wakes
    // per large share of it; the mark must follow what is still missing down, or the
    // reader would wait for bytes that never come, and must be back at one byte for the
    // small frame after it. Pauses between the pieces let the reader wait each time.
    TEST_CASE("a large body arriving in uneven pieces with pauses is answered, and so is a small frame after it") {
        net::server server(loopback(1, 4 << 20), echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        std::vector<uint8_t> body(1'500'000);
        for (size_t k = 0; k < body.size(); ++k) body[k] = static_cast<uint8_t>(k * 13 + 1);
        const auto framed = test::with_size_prefix(body);
        const size_t pieces[] = {3, 700'001, 300'000, 400'000, 99'000, 900, 96, 4};
        size_t at = 0;
        for (size_t piece : pieces) {
            c.send_raw(std::vector<uint8_t>(framed.begin() + static_cast<long>(at),
                                            framed.begin() + static_cast<long>(at + piece)));
            at += piece;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        REQUIRE(at == framed.size());
        auto r = c.receive_frame();
        REQUIRE(r);
        CHECK(*r == body);

        const auto small = test::with_size_prefix({4, 3, 2});
        c.send_raw({small.begin(), small.begin() + 5});
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        c.send_raw({small.begin() + 5, small.end()});
        auto r2 = c.receive_frame();
        REQUIRE(r2);
        CHECK(*r2 == std::vector<uint8_t>{4, 3, 2});
        server.stop();
    }

    TEST_CASE("a negative frame size closes that connection and others keep working") {
        net::server server(loopback(2), echo);
        auto bound = server.start();
        raw_client good(bound[0].endpoint.port());
        raw_client bad(bound[0].endpoint.port());
        bad.send_raw({0xff, 0xff, 0xff, 0xfe, 1, 2});
        CHECK(bad.closed_by_server());
        good.send_frame({42});
        auto r = good.receive_frame();
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{42});
        server.stop();
    }

    TEST_CASE("a frame above socket.request.max.bytes closes the connection") {
        net::server server(loopback(1, 16), echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        c.send_raw({0, 0, 0, 17});
        CHECK(c.closed_by_server());
        raw_client ok(bound[0].endpoint.port());
        ok.send_frame(std::vector<uint8_t>(16, 1));
        CHECK(ok.receive_frame());
        server.stop();
    }

    TEST_CASE("a close reply closes the connection after earlier replies are written") {
        net::server server(loopback(1),
                           [](std::shared_ptr<const net::peer_info>,
                              frame_bytes f) -> net::awaitable<net::reply> {
                               return [](frame_bytes frame) -> net::awaitable<net::reply> {
                                   if (frame.at(0) == 'x')
                                       co_return net::reply{net::reply::kind::close, {}, {}};
                                   co_return net::reply{net::reply::kind::send,
                                                        std::vector<uint8_t>(frame.begin(), frame.end()), {}};
                               }(std::move(f));
                           });
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        auto frames = test::with_size_prefix({'a'});
        auto x = test::with_size_prefix({'x'});
        frames.insert(frames.end(), x.begin(), x.end());
        c.send_raw(frames);
        auto r = c.receive_frame();
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{'a'});
        CHECK_FALSE(c.receive_frame());
        server.stop();
    }

    TEST_CASE("a connection idle past connections.max.idle.ms is closed, one with a request in flight is not") {
        using namespace std::chrono_literals;
        net::server_options options = loopback(1);
        options.connection.max_idle = 200ms;
        // Frame 's' is answered after three idle periods: the connection must outlive them.
        net::server server(options, [](std::shared_ptr<const net::peer_info>,
                                       frame_bytes f) -> net::awaitable<net::reply> {
            return [](frame_bytes frame) -> net::awaitable<net::reply> {
                if (frame.at(0) == 's') {
                    asio::steady_timer slow(co_await asio::this_coro::executor, 600ms);
                    co_await slow.async_wait(net::use_tuple);
                }
                co_return net::reply{net::reply::kind::send, std::vector<uint8_t>(frame.begin(), frame.end()), {}};
            }(std::move(f));
        });
        auto bound = server.start();
        raw_client busy(bound[0].endpoint.port());
        raw_client idle(bound[0].endpoint.port());
        idle.send_frame({'i'});
        CHECK(idle.receive_frame());
        busy.send_frame({'s'});
        auto r = busy.receive_frame();
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{'s'});
        CHECK(idle.closed_by_server());  // nothing read or written for 200 ms
        CHECK(busy.closed_by_server());  // and now this one too
        server.stop();
    }

    TEST_CASE("a connection over max.connections.per.ip is closed; the address gets in again once one closes") {
        net::server_options options = loopback(2);
        options.limits.max_per_ip = 2;
        net::server server(options, echo);
        auto bound = server.start();
        const uint16_t port = bound[0].endpoint.port();
        auto first = std::make_unique<raw_client>(port);
        raw_client second(port);
        for (raw_client* c : {first.get(), &second}) {
            c->send_frame({1});
            CHECK(c->receive_frame());
        }
        raw_client third(port);
        CHECK(third.closed_by_server());
        first.reset();
        // The close reaches the server's count asynchronously: retry until it has.
        bool served = false;
        for (int attempt = 0; attempt < 200 && !served; ++attempt) {
            raw_client again(port);
            again.send_frame({2});
            served = again.receive_frame().has_value();
            if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(served);
        server.stop();
    }

    TEST_CASE("at max.connections a new connection waits unserved until one closes or the limit rises") {
        std::mutex mutex;
        std::vector<uint8_t> seen;
        net::server_options options = loopback(2);
        options.limits.max_connections = 1;
        net::server server(options, [&](std::shared_ptr<const net::peer_info>,
                                        frame_bytes frame) -> net::awaitable<net::reply> {
            {
                std::lock_guard lock(mutex);
                seen.push_back(frame.at(0));
            }
            return echo(nullptr, std::move(frame));
        });
        auto bound = server.start();
        const uint16_t port = bound[0].endpoint.port();
        auto first = std::make_unique<raw_client>(port);
        raw_client waiting(port);
        waiting.send_frame({'w'});
        first->send_frame({'f'});
        CHECK(first->receive_frame());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        {
            std::lock_guard lock(mutex);
            CHECK(seen == std::vector<uint8_t>{'f'});  // the waiting connection's frame is not read
        }
        first.reset();
        auto r = waiting.receive_frame();  // served once the first connection is gone
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{'w'});

        raw_client third(port);  // the limit is reached again: this one waits
        third.send_frame({'t'});
        server.set_limits({2, std::numeric_limits<int32_t>::max(), {}});
        r = third.receive_frame();
        REQUIRE(r);
        CHECK(*r == std::vector<uint8_t>{'t'});
        server.stop();
    }

    TEST_CASE("socket.send.buffer.bytes and socket.receive.buffer.bytes size accepted sockets") {
        net::server_options options = loopback(1);
        options.send_buffer_bytes = 30000;
        options.receive_buffer_bytes = 20000;
        net::server server(options, echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        c.send_frame({1});
        REQUIRE(c.receive_frame());  // accepted and configured by now
        int fd = server_side_socket(bound[0].endpoint.port(), c.local_port());
        REQUIRE(fd >= 0);
        // Linux doubles the value asked for, to leave room for its bookkeeping.
        CHECK(socket_option(fd, SO_SNDBUF) == 60000);
        CHECK(socket_option(fd, SO_RCVBUF) == 40000);
        server.stop();
    }

    TEST_CASE("stop closes open connections and returns") {
        net::server server(loopback(2), echo);
        auto bound = server.start();
        raw_client c(bound[0].endpoint.port());
        c.send_frame({1});
        CHECK(c.receive_frame());
        server.stop();
        CHECK(c.closed_by_server());
    }
}
