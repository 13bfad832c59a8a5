// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's connection limits (its ConnectionQuotas): max.connections for the whole broker,
// and max.connections.per.ip with max.connections.per.ip.overrides for single addresses.
// A connection over the broker-wide limit waits in the listen backlog until another one
// closes; one over its address's limit is accepted and closed at once.
#pragma once

#include "net/awaitable.h"

#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <string_view>

namespace eddy::net {

struct connection_limits {
    int32_t max_connections = std::numeric_limits<int32_t>::max();
    int32_t max_per_ip = std::numeric_limits<int32_t>::max();
    std::map<asio::ip::address, int32_t> per_ip_overrides;

    bool operator==(const connection_limits&) const = default;
};

// Parses max.connections.per.ip.overrides, "host:count,host:count". As Kafka, the last
// colon of an entry splits it (so IPv6 addresses need no brackets), and a host name is
// resolved now (its first IPv4 address, else its first address), as Java's
// InetAddress.getByName does. Throws std::invalid_argument naming the bad entry.
std::map<asio::ip::address, int32_t> parse_per_ip_overrides(std::string_view text);

// An IPv4 peer of a dual-stack listener appears as ::ffff:a.b.c.d; limits and counts
// are kept under the plain IPv4 address, the way Java reports such a peer.
asio::ip::address plain_address(const asio::ip::address& address);

// Thread-safe: the acceptor (shard 0) admits, every shard releases on close, and the
// metadata thread sets new limits. The mutex is taken on connect and close only.
class connection_quotas {
public:
    void set_limits(connection_limits limits);

    // Whether the broker-wide limit lets the acceptor take another connection. The
    // inter-broker listener of a broker with several listeners is exempt, as in Kafka.
    bool slot_available(bool exempt_listener) const;

    // Counts a new connection from `address`. False, counting nothing, when the address
    // already has its limit; `limit` is set to that limit either way.
    bool admit(const asio::ip::address& address, int32_t& limit);

    // Uncounts a closed connection. True when the broker was at its limit before, so an
    // acceptor waiting for a slot may go on.
    bool release(const asio::ip::address& address);

    int64_t total() const;
    int32_t count(const asio::ip::address& address) const;

private:
    mutable std::mutex mutex_;
    connection_limits limits_;                     // GUARDED_BY(mutex_)
    std::map<asio::ip::address, int32_t> counts_;  // GUARDED_BY(mutex_); no zero entries
    int64_t total_ = 0;                            // GUARDED_BY(mutex_)
};

}  // namespace eddy::net
