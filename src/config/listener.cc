// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "config/listener.h"

#include <charconv>
#include <set>

#include "common/ascii.h"
#include "config/config_error.h"

namespace eddy::config {
namespace {

[[noreturn]] void bad(std::string_view text, std::string_view why) {
    throw config_error("invalid listener '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::string listener::to_string() const {
    bool v6 = host.find(':') != std::string::npos;
    return name + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

listener parse_listener(std::string_view text) {
    text = trim_blanks(text);
    size_t sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0) bad(text, "expected NAME://host:port");
    listener l;
    l.name = std::string(text.substr(0, sep));
    std::string_view rest = text.substr(sep + 3);
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) bad(text, "missing port");
    std::string_view host = rest.substr(0, colon);
    std::string_view port = rest.substr(colon + 1);
    if (!host.empty() && host.front() == '[') {
        if (host.size() < 2 || host.back() != ']') bad(text, "unclosed '['");
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        bad(text, "IPv6 hosts must be in brackets");
    }
    for (char c : host) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '.' || c == '_' || c == ':' || c == '%';
        if (!ok) bad(text, "invalid character in host");
    }
    int value = -1;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 0 ||
        value > 65535)
        bad(text, "port must be a number from 0 to 65535");
    l.host = std::string(host);
    l.port = static_cast<uint16_t>(value);
    return l;
}

std::vector<listener> parse_listeners(std::string_view text) {
    std::vector<listener> result;
    std::set<std::string> names;
    while (!trim_blanks(text).empty()) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (trim_blanks(item).empty()) continue;
        listener l = parse_listener(item);
        if (!names.insert(l.name).second)
            throw config_error("listener name " + l.name + " is used more than once");
        result.push_back(std::move(l));
    }
    return result;
}

}  // namespace eddy::config
