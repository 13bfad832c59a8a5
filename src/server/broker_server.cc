// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/broker_server.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "broker/meta_properties.h"
#include "common/logging.h"

namespace eddy::server {
namespace {

std::string local_host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

net::reply to_net(broker::routed_reply r) {
    net::reply out;
    out.what = r.what == broker::routed_reply::action::close ? net::reply::kind::close
                                                             : net::reply::kind::send;
    out.bytes = std::move(r.bytes);
    return out;
}

// Adapts the broker's router to the network layer; the two modules do not know
// each other. Parameters are by value: the coroutine owns them.
net::awaitable<net::reply> route(std::shared_ptr<const broker::router> router,
                                 std::shared_ptr<const net::peer_info> peer,
                                 std::vector<uint8_t> frame) {
    auto client = std::make_shared<broker::client_info>();
    client->connection_id = peer->connection_id;
    client->listener_name = peer->listener_name;
    client->remote_address = peer->remote_address;
    co_return to_net(co_await router->handle(std::move(client), std::move(frame)));
}

}  // namespace

broker_server::broker_server(config::broker_config cfg)
    : cfg_(std::move(cfg)), broker_(std::make_shared<broker::broker_info>()) {}

broker_server::~broker_server() { stop(); }

std::vector<net::bound_listener> broker_server::start() {
    broker_->node_id = cfg_.node_id;
    broker_->cluster_id = broker::ensure_meta_properties(cfg_.log_dirs, cfg_.node_id, cfg_.cluster_id);

    net::server_options options;
    for (const auto& l : cfg_.listeners) options.listeners.push_back({l.name, l.host, l.port});
    options.threads = static_cast<size_t>(cfg_.num_network_threads);
    options.connection.max_frame_bytes = static_cast<size_t>(cfg_.socket_request_max_bytes);

    router_ = std::make_shared<const broker::router>(broker_);
    auto router = router_;
    net_ = std::make_unique<net::server>(
        options, [router](std::shared_ptr<const net::peer_info> peer, std::vector<uint8_t> frame) {
            // Not a coroutine: it returns route()'s awaitable, which owns its arguments.
            return route(router, std::move(peer), std::move(frame));
        });
    // Bind before the endpoints are published: a configured port 0 is advertised as
    // the port actually bound. broker_ is complete before run() starts any thread.
    std::vector<net::bound_listener> bound = net_->bind();
    for (const config::listener& l : cfg_.effective_advertised_listeners()) {
        broker::advertised_endpoint ep{l.name, l.host, l.port};
        for (size_t i = 0; i < cfg_.listeners.size(); ++i) {
            if (cfg_.listeners[i].name != l.name) continue;
            if (ep.port == 0) ep.port = bound[i].endpoint.port();
        }
        // An empty host means every interface; tell clients this machine's name, as
        // Kafka does.
        if (ep.host.empty() || ep.host == "0.0.0.0" || ep.host == "::") ep.host = local_host_name();
        broker_->endpoints.push_back(std::move(ep));
    }
    net_->run();
    return bound;
}

void broker_server::stop() {
    if (net_) net_->stop();
}

}  // namespace eddy::server

namespace eddy::server {

int run_until_signalled(const config::broker_config& cfg) {
    spdlog::level::level_enum level = spdlog::level::info;
    parse_log_level(cfg.log_level, level);  // validated when the config was read
    set_log_level(level);

    // Block the stop signals before any thread starts, so every thread inherits the
    // mask and only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A client vanishing mid-write must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    broker_server server(cfg);
    std::vector<net::bound_listener> bound = server.start();
    auto log = get_logger("kafka");
    log->info("node {} of cluster {} started", cfg.node_id, server.cluster_id());
    for (const auto& b : bound) {
        // Tests and the compat harness wait for this exact line.
        std::printf("eddy: listening on %s\n", b.to_string().c_str());
    }
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stop_signals, &signal);
    log->info("signal {} received; shutting down", signal);
    server.stop();
    log->info("stopped");
    return 0;
}

}  // namespace eddy::server
