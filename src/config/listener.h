// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's listener strings: "NAME://host:port[,NAME://host:port...]".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::config {

struct listener {
    std::string name;  // PLAINTEXT, or any name of the user's
    std::string host;  // empty = every interface; IPv6 without brackets ("::1")
    uint16_t port = 0; // 0 = let the OS pick (tests)

    // "NAME://host:port", bracketing an IPv6 host.
    std::string to_string() const;
    bool operator==(const listener&) const = default;
};

// Parses one "NAME://host:port". Host may be empty, a name, IPv4, or IPv6 in
// brackets ("[::1]"). Throws config_error when malformed or the port is out of range.
listener parse_listener(std::string_view text);

// Parses a comma-separated list (blanks around entries ignored). Throws config_error
// on a malformed entry or a listener name used twice.
std::vector<listener> parse_listeners(std::string_view text);

}  // namespace eddy::config
