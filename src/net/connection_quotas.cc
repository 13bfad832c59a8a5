// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "net/connection_quotas.h"

#include "common/ascii.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace eddy::net {
namespace {

asio::ip::address resolve_host(const std::string& host) {
    asio::error_code ec;
    asio::ip::address numeric = asio::ip::make_address(host, ec);
    if (!ec) return plain_address(numeric);
    asio::io_context ctx;
    asio::ip::tcp::resolver resolver(ctx);
    auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty()) throw std::invalid_argument("unknown host " + host);
    for (const auto& entry : results) {
        if (entry.endpoint().address().is_v4()) return entry.endpoint().address();
    }
    return plain_address(results.begin()->endpoint().address());
}

}  // namespace

asio::ip::address plain_address(const asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address;
}

std::map<asio::ip::address, int32_t> parse_per_ip_overrides(std::string_view text) {
    std::map<asio::ip::address, int32_t> out;
    if (trim_blanks(text).empty()) return out;
    while (true) {
        size_t comma = text.find(',');
        std::string_view entry = trim_blanks(text.substr(0, comma));
        if (entry.empty() && comma == std::string_view::npos) break;  // "a:1," as Java's split
        size_t colon = entry.rfind(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("'" + std::string(entry) + "' is not host:count");
        std::string_view host = trim_blanks(entry.substr(0, colon));
        std::string_view count_text = trim_blanks(entry.substr(colon + 1));
        int32_t count = 0;
        auto [end, ec] =
            std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (host.empty() || count_text.empty() || ec != std::errc() ||
            end != count_text.data() + count_text.size() || count < 0) {
            throw std::invalid_argument("'" + std::string(entry) + "' is not host:count");
        }
        out[resolve_host(std::string(host))] = count;
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    return out;
}

void connection_quotas::set_limits(connection_limits limits) {
    std::lock_guard lock(mutex_);
    limits_ = std::move(limits);
}

bool connection_quotas::slot_available(bool exempt_listener) const {
    std::lock_guard lock(mutex_);
    return exempt_listener || total_ < limits_.max_connections;
}

bool connection_quotas::admit(const asio::ip::address& address, int32_t& limit) {
    std::lock_guard lock(mutex_);
    auto override_it = limits_.per_ip_overrides.find(address);
    limit =
        override_it != limits_.per_ip_overrides.end() ? override_it->second : limits_.max_per_ip;
    auto it = counts_.find(address);
    int32_t now = it == counts_.end() ? 0 : it->second;
    if (now >= limit) return false;
    counts_[address] = now + 1;
    ++total_;
    return true;
}

bool connection_quotas::release(const asio::ip::address& address) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(address);
    if (it == counts_.end()) return false;  // never admitted: nothing to give back
    if (--it->second == 0) counts_.erase(it);
    return total_-- >= limits_.max_connections;
}

int64_t connection_quotas::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

int32_t connection_quotas::count(const asio::ip::address& address) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(address);
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace eddy::net
