// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/server.h"

#include "common/hardware_threads.h"
#include "net/logger.h"

#include <exception>
#include <future>

namespace eddy::net {
namespace {

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    std::string host = ep.address().to_string();
    if (ep.address().is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(ep.port());
}

// Where to bind a listener. An empty host means every interface (dual-stack when the
// system has IPv6). A name resolving to several addresses binds the first IPv4 one,
// as Java's InetAddress does by default.
asio::ip::tcp::endpoint bind_endpoint(asio::io_context& ctx, const listen_spec& spec) {
    if (spec.host.empty() || spec.host == "0.0.0.0")
        return {asio::ip::address_v4::any(), spec.port};
    asio::ip::tcp::resolver resolver(ctx);
    auto results = resolver.resolve(spec.host, std::to_string(spec.port),
                                    asio::ip::resolver_base::numeric_service);
    asio::ip::tcp::endpoint chosen;
    bool found = false;
    for (const auto& entry : results) {
        if (!found || (entry.endpoint().address().is_v4() && !chosen.address().is_v4())) {
            chosen = entry.endpoint();
            found = true;
        }
    }
    if (!found) throw std::system_error(asio::error::host_not_found, "resolve " + spec.host);
    return chosen;
}

}  // namespace

std::string bound_listener::to_string() const { return name + "://" + endpoint_text(endpoint); }

server::server(server_options options, frame_handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
    quotas_.set_limits(options_.limits);
}

server::~server() { stop(); }

std::vector<bound_listener> server::bind() {
    size_t threads = options_.threads;
    if (threads == 0) threads = hardware_threads();
    for (size_t i = 0; i < threads; ++i) shards_.push_back(std::make_unique<shard>());

    std::vector<bound_listener> bound;
    asio::io_context& accept_context = shards_[0]->context;
    for (const listen_spec& spec : options_.listeners) {
        asio::ip::tcp::endpoint ep = bind_endpoint(accept_context, spec);
        auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(accept_context);
        if (ep.address() == asio::ip::address_v4::any()) {
            // Every interface: dual-stack like Java's wildcard socket, where the
            // system has IPv6; plain IPv4 otherwise.
            asio::error_code ec;
            acceptor->open(asio::ip::tcp::v6(), ec);
            if (!ec) acceptor->set_option(asio::ip::v6_only(false), ec);
            if (!ec) {
                ep = {asio::ip::address_v6::any(), spec.port};
            } else if (acceptor->is_open()) {
                acceptor->close(ec);
            }
        }
        if (!acceptor->is_open()) acceptor->open(ep.protocol());
        acceptor->set_option(asio::socket_base::reuse_address(true));
        acceptor->bind(ep);
        acceptor->listen();
        bound.push_back({spec.name, acceptor->local_endpoint()});
        acceptors_.push_back(std::move(acceptor));
        slot_waits_.push_back(std::make_unique<asio::steady_timer>(accept_context));
    }
    return bound;
}

void server::run() {
    asio::io_context& accept_context = shards_[0]->context;
    for (size_t i = 0; i < acceptors_.size(); ++i) {
        asio::co_spawn(accept_context, accept_loop(this, i, options_.listeners[i].name),
                       [name = options_.listeners[i].name](std::exception_ptr error) {
                           if (!error) return;
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               wire_log().error("listener {} stopped: {}", name, e.what());
                           }
                       });
    }
    for (auto& s : shards_) {
        s->thread = std::thread([ctx = &s->context] { ctx->run(); });
    }
    started_ = true;
}

asio::io_context& server::next_shard() {
    asio::io_context& ctx = shards_[next_shard_]->context;
    next_shard_ = (next_shard_ + 1) % shards_.size();
    return ctx;
}

void server::set_limits(connection_limits limits) {
    quotas_.set_limits(std::move(limits));
    wake_acceptors();  // a raised max.connections frees slots
}

void server::wake_acceptors() {
    if (shards_.empty() || !accepting_.load()) return;
    asio::post(shards_[0]->context, [this] {
        for (auto& wait : slot_waits_) wait->cancel();
    });
}

awaitable<void> server::accept_loop(server* self, size_t listener_index, std::string name) {
    asio::ip::tcp::acceptor& acceptor = *self->acceptors_[listener_index];
    asio::steady_timer& slot_wait = *self->slot_waits_[listener_index];
    const bool exempt = name == self->options_.exempt_listener;
    while (acceptor.is_open()) {
        asio::io_context& target = self->next_shard();
        auto [ec, socket] = co_await acceptor.async_accept(target, use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
            // Out of file descriptors and the like: log, pause so the loop does not
            // spin while the condition lasts, and keep serving the open connections.
            wire_log().warn("accept on {} failed: {}", name, ec.message());
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        // As Kafka's acceptor: at max.connections the connection just taken waits, unread,
        // and the rest stay in the backlog, until a connection closes. The check and the
        // wait run on this thread, and wakes are posted to it, so none is missed.
        while (acceptor.is_open() && !self->quotas_.slot_available(exempt)) {
            slot_wait.expires_at(asio::steady_timer::time_point::max());
            co_await slot_wait.async_wait(use_tuple);
        }
        if (!acceptor.is_open()) break;
        asio::error_code ignored;
        auto remote = socket.remote_endpoint(ignored);
        if (ignored) continue;  // the peer is already gone
        const asio::ip::address address = plain_address(remote.address());
        int32_t limit = 0;
        if (!self->quotas_.admit(address, limit)) {
            wire_log().info("rejected connection from {} on {}: the address has reached its limit "
                            "of {} connections (max.connections.per.ip)",
                            address.to_string(), name, limit);
            socket.close(ignored);
            continue;
        }
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        if (self->options_.send_buffer_bytes > 0)
            socket.set_option(asio::socket_base::send_buffer_size(self->options_.send_buffer_bytes), ignored);
        if (self->options_.receive_buffer_bytes > 0) {
            socket.set_option(asio::socket_base::receive_buffer_size(self->options_.receive_buffer_bytes),
                              ignored);
        }
        // As Kafka's acceptor does: the kernel probes a silent peer, so a connection to a
        // vanished host ends even when connections.max.idle.ms is off.
        socket.set_option(asio::socket_base::keep_alive(true), ignored);
        auto peer = std::make_shared<peer_info>();
        peer->connection_id = self->next_connection_id_.fetch_add(1);
        peer->listener_name = name;
        peer->remote_address = endpoint_text(remote);
        uint64_t id = peer->connection_id;

        auto conn =
            std::make_shared<connection>(std::move(socket), std::move(peer), self->handler_,
                                         self->options_.connection, [self, address](uint64_t closed_id) {
                                             {
                                                 std::lock_guard lock(self->registry_mutex_);
                                                 self->connections_.erase(closed_id);
                                             }
                                             if (self->quotas_.release(address)) self->wake_acceptors();
                                         });
        {
            std::lock_guard lock(self->registry_mutex_);
            if (self->closing_) {
                conn->close_from_any_thread();
                continue;
            }
            self->connections_[id] = conn;
        }
        wire_log().debug("connection {} from {} on {}", id, conn->peer().remote_address, name);
        // start() must run on the connection's own thread.
        asio::post(target, [conn] { conn->start(); });
    }
}

void server::stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    accepting_.store(false);
    // Acceptors live on shard 0; close them there and wait, so no new connection
    // slips in after the registry is swept.
    std::promise<void> acceptors_closed;
    asio::post(shards_[0]->context, [this, &acceptors_closed] {
        for (auto& a : acceptors_) {
            asio::error_code ignored;
            a->close(ignored);
        }
        for (auto& wait : slot_waits_) wait->cancel();
        acceptors_closed.set_value();
    });
    acceptors_closed.get_future().wait();

    std::vector<std::shared_ptr<connection>> open;
    {
        std::lock_guard lock(registry_mutex_);
        closing_ = true;
        for (auto& [id, weak] : connections_) {
            if (auto c = weak.lock()) open.push_back(std::move(c));
        }
    }
    for (auto& c : open) c->close_from_any_thread();
    open.clear();
    // With every socket closed the coroutines finish; then run() returns by itself.
    for (auto& s : shards_) s->work.reset();
    for (auto& s : shards_) {
        if (s->thread.joinable()) s->thread.join();
    }
    acceptors_.clear();
}

}  // namespace eddy::net
