// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test helper: sends requests encoded with the generated codec over a loopback
// socket and decodes the responses.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"
#include "eddy/msg/registry.h"
#include "eddy/msg/request_header.h"
#include "eddy/msg/response_header.h"
#include "test_client.h"

namespace eddy::test {

// An ApiVersions request as a client names itself in it.
inline msg::api_versions_request api_versions_request() {
    msg::api_versions_request r;
    r.client_software_name = "eddy-test";
    r.client_software_version = "0.1";
    return r;
}

// Header + body bytes of one request (without the size prefix).
template <class Request>
std::vector<uint8_t> encode_request(const Request& req, int16_t version, int32_t correlation_id,
                                    int16_t api_key = Request::api_key,
                                    std::optional<std::string> client_id = std::string("eddy-test")) {
    msg::request_header h;
    h.request_api_key = api_key;
    h.request_api_version = version;
    h.correlation_id = correlation_id;
    h.client_id = std::move(client_id);
    std::vector<uint8_t> out;
    codec::writer w(out);
    h.write(w, msg::request_header_version(api_key, version));
    req.write(w, version);
    return out;
}

// A decoded response plus what the header and framing looked like.
template <class Response>
struct decoded {
    int32_t correlation_id = 0;
    Response body;
    bool fully_consumed = false;  // no byte left after the body
};

template <class Response>
std::optional<decoded<Response>> decode_response(const std::vector<uint8_t>& frame, int16_t header_version,
                                                 int16_t body_version) {
    codec::reader r(frame.data(), frame.size());
    msg::response_header h;
    decoded<Response> d;
    if (!h.read(r, header_version)) return std::nullopt;
    if (!d.body.read(r, body_version) || !r.ok()) return std::nullopt;
    d.correlation_id = h.correlation_id;
    d.fully_consumed = r.remaining() == 0;
    return d;
}

class kafka_client : public raw_client {
public:
    using raw_client::raw_client;

    // Sends `req` as `version` and decodes the reply as that version with the
    // response header version the registry gives.
    template <class Response, class Request>
    std::optional<decoded<Response>> call(const Request& req, int16_t version) {
        int32_t id = next_correlation_id_++;
        send_frame(encode_request(req, version, id));
        auto frame = receive_frame();
        if (!frame) return std::nullopt;
        auto d = decode_response<Response>(*frame, msg::response_header_version(Request::api_key, version), version);
        if (d) CHECK(d->correlation_id == id);
        return d;
    }

private:
    int32_t next_correlation_id_ = 1;
};

}  // namespace eddy::test
