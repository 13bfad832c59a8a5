// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/broker_server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <stdexcept>

#include "broker/meta_properties.h"
#include "broker/producer_ids.h"
#include "broker/txn_marker_writer.h"
#include "common/logging.h"
#include "group/runtime/coordinator_runtime.h"
#include "server/connection_limits_follower.h"
#include "server/metadata_service.h"
#include "txn/runtime/txn_runtime.h"

namespace eddy::server {
namespace {

std::string local_host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

net::reply to_net(broker::routed_reply r) {
    net::reply out;
    out.what = r.what == broker::routed_reply::action::close  ? net::reply::kind::close
               : r.what == broker::routed_reply::action::none ? net::reply::kind::none
                                                              : net::reply::kind::send;
    out.bytes = std::move(r.bytes);
    for (broker::response_piece& p : r.pieces) {
        net::reply_piece np;
        np.bytes = std::move(p.bytes);
        if (p.file && p.file->length > 0) {
            int fd = p.file->log_file->native_handle();
            if (fd >= 0) {
                np.file = net::file_range{p.file->log_file, fd, p.file->position, p.file->length};
            } else {
                // Not an OS file (in-memory test filesystem): read the bytes instead.
                size_t at = np.bytes.size();
                np.bytes.resize(at + p.file->length);
                (void)log::read_exact(*p.file->log_file, p.file->position,
                                      std::span<uint8_t>(np.bytes.data() + at, p.file->length));
            }
        }
        out.pieces.push_back(std::move(np));
    }
    return out;
}

// Adapts the broker's router to the network layer; the two modules do not know
// each other. Parameters are by value: the coroutine owns them.
net::awaitable<net::reply> route(std::shared_ptr<const broker::router> router,
                                 std::shared_ptr<const net::peer_info> peer,
                                 frame_bytes frame) {
    auto client = std::make_shared<broker::client_info>();
    client->connection_id = peer->connection_id;
    client->listener_name = peer->listener_name;
    client->remote_address = peer->remote_address;
    co_return to_net(co_await router->handle(std::move(client), std::move(frame)));
}

std::string property(const config::properties& props, std::string_view key, std::string fallback) {
    auto it = props.find(key);
    return it == props.end() ? std::move(fallback) : it->second;
}

// controller.quorum.voters: "id@host:port,..." -> the ids. Empty when not set (this node
// alone). Throws on a malformed entry (startup only).
std::vector<int32_t> quorum_voters(const config::properties& props) {
    std::vector<int32_t> ids;
    std::string text = property(props, "controller.quorum.voters", "");
    size_t pos = 0;
    while (pos < text.size()) {
        size_t comma = std::min(text.find(',', pos), text.size());
        std::string entry = text.substr(pos, comma - pos);
        pos = comma + 1;
        entry.erase(0, entry.find_first_not_of(" \t"));
        if (entry.empty()) continue;
        size_t at = entry.find('@');
        try {
            size_t used = 0;
            int id = std::stoi(entry.substr(0, at), &used);
            if (at == std::string::npos || used != at || id < 0) throw std::invalid_argument(entry);
            ids.push_back(id);
        } catch (const std::exception&) {
            throw std::runtime_error("controller.quorum.voters: '" + entry + "' is not id@host:port");
        }
    }
    return ids;
}

txn::txn_runtime_config txn_config_of(const config::broker_config& c) {
    txn::txn_runtime_config t;
    t.coordinator.transaction_max_timeout_ms = c.transaction_max_timeout_ms;
    t.coordinator.transactional_id_expiration_ms = c.transactional_id_expiration_ms;
    t.coordinator.abort_timed_out_interval_ms = c.transaction_abort_timed_out_transaction_cleanup_interval_ms;
    t.coordinator.remove_expired_interval_ms = c.transaction_remove_expired_transaction_cleanup_interval_ms;
    t.num_partitions = c.transaction_state_log_num_partitions;
    t.replication_factor = c.transaction_state_log_replication_factor;
    t.min_isr = c.transaction_state_log_min_isr;
    t.segment_bytes = c.transaction_state_log_segment_bytes;
    t.load_buffer_size = c.transaction_state_log_load_buffer_size;
    return t;
}

// SecurityProtocol ids of the default listener.security.protocol.map (name = protocol).
int16_t security_protocol_id(const std::string& listener_name) {
    if (listener_name == "SSL") return 1;
    if (listener_name == "SASL_PLAINTEXT") return 2;
    if (listener_name == "SASL_SSL") return 3;
    return 0;
}

}  // namespace

broker_server::broker_server(config::broker_config cfg, config::properties props)
    : cfg_(std::move(cfg)), props_(std::move(props)), broker_(std::make_shared<broker::broker_info>()) {}

broker_server::~broker_server() { stop(); }

void broker_server::on_image(std::function<void(metadata::image_ptr)> subscriber) {
    image_subscribers_.push_back(std::move(subscriber));
}

metadata::image_ptr broker_server::image() const {
    return metadata_ ? metadata_->image() : metadata::metadata_image::empty(broker_->cluster_id);
}

std::vector<net::bound_listener> broker_server::start() {
    broker_->node_id = cfg_.node_id;
    broker_->max_request_partition_size_limit = cfg_.max_request_partition_size_limit;
    broker_->fetch_max_bytes = cfg_.fetch_max_bytes;
    // Kafka keeps the metadata log in metadata.log.dir, else in the first of log.dirs; that
    // dir gets a meta.properties like every other.
    const std::string metadata_dir = property(props_, "metadata.log.dir", cfg_.log_dirs.front());
    std::vector<std::string> dirs = cfg_.log_dirs;
    if (std::find(dirs.begin(), dirs.end(), metadata_dir) == dirs.end()) dirs.push_back(metadata_dir);
    const broker::log_dir_identity identity =
        broker::ensure_meta_properties(dirs, cfg_.node_id, cfg_.cluster_id);
    broker_->cluster_id = identity.cluster_id;
    const std::vector<int32_t> voters = quorum_voters(props_);
    // server.properties as the config layers read it: under dynamic configs, over defaults.
    const controller::static_config statics(props_.begin(), props_.end());

    net::server_options options;
    for (const auto& l : cfg_.listeners) options.listeners.push_back({l.name, l.host, l.port});
    options.threads = static_cast<size_t>(cfg_.num_network_threads);
    options.connection.max_frame_bytes = static_cast<size_t>(cfg_.socket_request_max_bytes);
    options.connection.max_idle = std::chrono::milliseconds(
        std::clamp<int64_t>(cfg_.connections_max_idle_ms, -1, int64_t{1} << 40));  // no timer overflow
    options.send_buffer_bytes = cfg_.socket_send_buffer_bytes;
    options.receive_buffer_bytes = cfg_.socket_receive_buffer_bytes;
    connection_limits_ = std::make_shared<connection_limits_follower>(cfg_.node_id, statics);
    options.limits = connection_limits_->current();
    // Kafka exempts the inter-broker listener from max.connections when there are others.
    if (cfg_.listeners.size() > 1)
        options.exempt_listener = property(props_, "inter.broker.listener.name", "PLAINTEXT");

    router_ = std::make_shared<const broker::router>(broker_);
    auto router = router_;
    net_ = std::make_unique<net::server>(
        options, [router](std::shared_ptr<const net::peer_info> peer, frame_bytes frame) {
            // Not a coroutine: it returns route()'s awaitable, which owns its arguments.
            return route(router, std::move(peer), std::move(frame));
        });
    // Bind before the endpoints are published: a configured port 0 is advertised as
    // the port actually bound. broker_ is complete before run() starts any thread.
    connection_limits_->attach(net_.get());
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

    // The metadata quorum and controller: replays the metadata log, bootstraps a new
    // cluster and registers this broker with the endpoints just bound.
    metadata_service_options mo;
    mo.node_id = cfg_.node_id;
    mo.cluster_id = broker_->cluster_id;
    mo.static_configs = statics;
    mo.metadata_log_dir = metadata_dir;
    mo.voters = voters;
    for (const broker::advertised_endpoint& ep : broker_->endpoints) {
        mo.self.listeners.push_back({ep.listener_name, ep.host, static_cast<uint16_t>(ep.port),
                                     security_protocol_id(ep.listener_name)});
    }
    if (!broker_->rack.empty()) mo.self.rack = broker_->rack;
    // Kafka registers the directory ids of its log.dirs (a separate metadata.log.dir is not
    // one of them), each once; with one dir, new partitions' PartitionRecords name it.
    for (size_t i = 0; i < cfg_.log_dirs.size(); ++i) {
        const codec::uuid& id = identity.directory_ids[i];
        if (std::find(mo.self.log_dirs.begin(), mo.self.log_dirs.end(), id) == mo.self.log_dirs.end())
            mo.self.log_dirs.push_back(id);
    }
    metadata_ = std::make_shared<metadata_service>(std::move(mo));
    // Components that follow the metadata image are wired here, before the first publish.
    for (auto& subscriber : image_subscribers_) metadata_->on_image(subscriber);
    {
        auto limits = connection_limits_;
        metadata_->on_image([limits](metadata::image_ptr image) { limits->apply(*image); });
    }
    // The replica manager follows the image: it opens the logs of partitions led here
    // (inside start() for the replayed image, then on the metadata thread).
    {
        cluster::replica_manager_options ro;
        ro.node_id = cfg_.node_id;
        ro.log_dirs = cfg_.log_dirs;
        ro.threads = static_cast<size_t>(cfg_.num_io_threads);
        using ms = std::chrono::milliseconds;
        ro.retention_check_interval = ms(cfg_.log_retention_check_interval_ms);
        ro.flush_check_interval = ms(cfg_.log_flush_scheduler_interval_ms);
        ro.cleaner_backoff = cfg_.log_cleaner_enable ? ms(cfg_.log_cleaner_backoff_ms) : ms(0);
        ro.cleaner_map_bytes = static_cast<uint64_t>(std::max<int64_t>(cfg_.log_cleaner_dedupe_buffer_size, 0));
        ro.recovery_point_checkpoint_interval = ms(cfg_.log_flush_offset_checkpoint_interval_ms);
        ro.log_start_checkpoint_interval = ms(cfg_.log_flush_start_offset_checkpoint_interval_ms);
        ro.initial_task_delay = ms(cfg_.log_initial_task_delay_ms);
        ro.producer_expiration_check_interval = ms(cfg_.producer_id_expiration_check_interval_ms);
        ro.batch_validation = cfg_.produce_batch_validation_strict ? record::batch_validation::strict
                                                                    : record::batch_validation::relaxed;
        ro.static_configs = statics;
        replicas_ = std::make_shared<cluster::replica_manager>(std::move(ro));
        replicas_->start();
        broker_->replicas = replicas_;
        auto rm = replicas_;
        metadata_->on_image([rm](metadata::image_ptr image) { rm->apply_image(std::move(image)); });
    }
    // The group coordinator follows the image after the replica manager: it loads a shard
    // for each __consumer_offsets partition the replica manager has just opened here.
    {
        auto groups = std::make_shared<group::coordinator_runtime>(
            cfg_.node_id, group::read_runtime_config(props_), replicas_);
        broker_->groups = groups;
        metadata_->on_image([groups](metadata::image_ptr image) { groups->apply_image(std::move(image)); });
    }
    // The transaction coordinator likewise, for __transaction_state; its markers go through
    // the broker's WriteTxnMarkers path (weakly: broker_info owns the runtime).
    {
        std::weak_ptr<const broker::broker_info> info = broker_;
        txn::marker_writer writer = [info](const std::string& topic, int32_t partition,
                                           const record::txn_marker& marker,
                                           std::function<void(error_code)> done) {
            std::shared_ptr<const broker::broker_info> b = info.lock();
            if (!b) return done(error_code::not_coordinator);
            broker::write_txn_marker(*b, topic, partition, marker, std::move(done));
        };
        auto txns = std::make_shared<txn::txn_runtime>(cfg_.node_id, txn_config_of(cfg_), replicas_,
                                                       std::move(writer));
        broker_->txns = txns;
        metadata_->on_image([txns](metadata::image_ptr image) { txns->apply_image(std::move(image)); });
    }
    metadata_->start();
    broker_->metadata = metadata_;
    broker_->producer_ids = std::make_shared<broker::producer_id_source>(metadata_);

    net_->run();
    return bound;
}

void broker_server::stop() {
    // What waits on a timer ends first, as the network's stop waits for every request to
    // finish (and Kafka's shutdown waits for neither its delayed fetches nor its group
    // joins): parked fetches answer with what they have; pending group and transaction
    // replies end with NOT_COORDINATOR, as do their requests from now on. Transactions
    // before groups: their markers to __consumer_offsets go through the groups.
    if (replicas_) replicas_->end_fetch_waits();
    if (broker_->txns) broker_->txns->stop();
    if (broker_->groups) broker_->groups->stop();
    // The network next: no request may be waiting on the metadata thread once it stops.
    if (net_) net_->stop();
    if (metadata_) metadata_->stop();
    // Last: closes every log, writes the checkpoints and the clean-shutdown markers.
    if (replicas_) replicas_->stop();
}

}  // namespace eddy::server

namespace eddy::server {

namespace {

// Every partition holds a log, an index and a time index open (more with more segments),
// so a shell's usual soft limit of 1024 open files stopped Eddy at about 250 partitions.
// Kafka's JVM raises its soft limit to the hard one at start-up (-XX:+MaxFDLimit, on by
// default); Eddy does the same, so it hosts as many partitions as Kafka would here.
void raise_open_file_limit(spdlog::logger& log) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        // An unlimited hard limit is refused above fs.nr_open; keep what there is.
        log.warn("open files limit stays at {}: raising it to the hard limit failed", before);
        return;
    }
    log.info("open files limit raised from {} to {}", before, limit.rlim_cur);
}

}  // namespace

int run_until_signalled(const config::broker_config& cfg, const config::properties& props) {
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
    raise_open_file_limit(*get_logger("kafka"));

    broker_server server(cfg, props);
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
