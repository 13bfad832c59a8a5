// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Applies max.connections, max.connections.per.ip and max.connections.per.ip.overrides to
// the network server: their static values at start-up, then every dynamic change
// (IncrementalAlterConfigs on this broker or the cluster default), as Kafka's
// SocketServer reconfigures its ConnectionQuotas.
#pragma once

#include "metadata/metadata_image.h"
#include "net/server.h"

#include <map>
#include <string>

namespace eddy::server {

class connection_limits_follower {
public:
    // `statics` are the server.properties values. Throws config::config_error for
    // overrides that do not parse or name an unknown host: the broker does not start.
    connection_limits_follower(int32_t node_id,
                               std::map<std::string, std::string, std::less<>> statics);

    // The limits in force: the static ones until an image changes them.
    net::connection_limits current() const { return applied_; }
    // The server later changes go to; it outlives this follower's calls.
    void attach(net::server* net) { net_ = net; }

    // On the metadata thread, for each new image. Bad dynamic overrides are logged and the
    // previous ones kept; so are limits that would let no address connect (Kafka refuses
    // max.connections.per.ip=0 without overrides), which would lock out even the admin
    // client that could undo them.
    void apply(const metadata::metadata_image& image);

private:
    int32_t node_id_;
    std::map<std::string, std::string, std::less<>> statics_;
    net::server* net_ = nullptr;
    std::string overrides_text_;  // the overrides in force, parsed below (DNS only on change)
    std::map<asio::ip::address, int32_t> overrides_;
    std::string rejected_text_;  // the last dynamic overrides that did not parse
    net::connection_limits applied_;
    bool lockout_warned_ = false;
};

}  // namespace eddy::server
