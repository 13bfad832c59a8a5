// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A blocking loopback client for tests: raw frames in, raw frames out.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace eddy::test {

inline std::vector<uint8_t> with_size_prefix(const std::vector<uint8_t>& body) {
    auto n = static_cast<uint32_t>(body.size());
    std::vector<uint8_t> f{static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                           static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
    f.insert(f.end(), body.begin(), body.end());
    return f;
}

class raw_client {
public:
    explicit raw_client(uint16_t port) : socket_(io_) {
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    }
    void send_raw(const std::vector<uint8_t>& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    void send_frame(const std::vector<uint8_t>& body) { send_raw(with_size_prefix(body)); }

    // The next frame's body, or nullopt when the server closed the connection.
    std::optional<std::vector<uint8_t>> receive_frame() {
        uint8_t size[4];
        asio::error_code ec;
        asio::read(socket_, asio::buffer(size), ec);
        if (ec) return std::nullopt;
        uint32_t n = (uint32_t{size[0]} << 24) | (uint32_t{size[1]} << 16) | (uint32_t{size[2]} << 8) | size[3];
        std::vector<uint8_t> body(n);
        asio::read(socket_, asio::buffer(body), ec);
        if (ec) return std::nullopt;
        return body;
    }

    uint16_t local_port() const { return socket_.local_endpoint().port(); }

    // True when the server has closed the connection (reads EOF or reset).
    bool closed_by_server() {
        uint8_t b;
        asio::error_code ec;
        socket_.read_some(asio::buffer(&b, 1), ec);
        return static_cast<bool>(ec);
    }

private:
    asio::io_context io_;
    asio::ip::tcp::socket socket_;
};

}  // namespace eddy::test
