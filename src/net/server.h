// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The network front: a listener per configured endpoint and a pool of io_context
// threads over which accepted connections are spread round-robin.
#pragma once

#include "net/awaitable.h"
#include "net/connection.h"
#include "net/connection_quotas.h"
#include "net/frame_handler.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace eddy::net {

struct listen_spec {
    std::string name;   // PLAINTEXT, ...
    std::string host;   // empty = every interface
    uint16_t port = 0;  // 0 = any free port
};

struct bound_listener {
    std::string name;
    asio::ip::tcp::endpoint endpoint;  // the real address and port
    // "NAME://127.0.0.1:9092" (IPv6 in brackets)
    std::string to_string() const;
};

struct server_options {
    std::vector<listen_spec> listeners;
    size_t threads = 0;  // 0 = one per hardware thread
    connection_options connection;
    connection_limits limits;
    // SO_SNDBUF / SO_RCVBUF for accepted sockets; <= 0 leaves the kernel's autotuning.
    int send_buffer_bytes = -1;
    int receive_buffer_bytes = -1;
    // The listener max.connections does not hold back (Kafka's inter-broker listener, when
    // the broker has more than one); empty for none.
    std::string exempt_listener;
};

// Lives on: start() and stop() are called from one controlling thread (main or a
// test); everything else runs on the pool. The connection registry is the only
// state shared between threads and is guarded by registry_mutex_ (it is touched on
// connect and disconnect, never per request).
class server {
public:
    server(server_options options, frame_handler handler);
    ~server();  // stop()
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds every listener (connections queue in the backlog until run()). Throws
    // std::system_error when a listener cannot be bound (a startup failure).
    std::vector<bound_listener> bind();
    // Starts accepting and the threads. Call once, after bind().
    void run();
    // bind() then run().
    std::vector<bound_listener> start() {
        auto bound = bind();
        run();
        return bound;
    }

    // New connection limits (a dynamic config change); connections already open stay.
    void set_limits(connection_limits limits);

    // Stops accepting, closes every connection, lets the coroutines finish and joins
    // the threads. Idempotent.
    void stop();

private:
    struct shard {
        asio::io_context context{1};
        asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
        std::thread thread;
    };

    static awaitable<void> accept_loop(server* self, size_t listener_index, std::string name);
    asio::io_context& next_shard();
    // Lets acceptors waiting for a max.connections slot look again (from any thread).
    void wake_acceptors();

    server_options options_;
    frame_handler handler_;

    // Declared before shards_ so they outlive any connection destroyed with a shard.
    std::mutex registry_mutex_;
    std::unordered_map<uint64_t, std::weak_ptr<connection>>
        connections_;       // GUARDED_BY(registry_mutex_)
    bool closing_ = false;  // GUARDED_BY(registry_mutex_)
    connection_quotas quotas_;
    // Cleared by stop() before the shards wind down: no wake is posted to them after.
    std::atomic<bool> accepting_{true};

    std::vector<std::unique_ptr<shard>> shards_;
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;  // on shard 0
    // One per acceptor (shard 0): where it waits while max.connections is reached.
    std::vector<std::unique_ptr<asio::steady_timer>> slot_waits_;
    std::atomic<uint64_t> next_connection_id_{1};
    size_t next_shard_ = 0;  // shard 0 only
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace eddy::net
