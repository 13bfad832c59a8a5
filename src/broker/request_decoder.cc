// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/request_decoder.h"

#include "eddy/msg/registry.h"

namespace eddy::broker {

const char* to_string(decode_status s) {
    switch (s) {
        case decode_status::ok: return "ok";
        case decode_status::unknown_api: return "unknown api";
        case decode_status::unsupported_version: return "unsupported version";
        case decode_status::malformed: return "malformed";
    }
    return "?";
}

decode_status decode_header(const uint8_t* data, size_t size, msg::request_header& header,
                            codec::reader& body) {
    codec::reader r(data, size);
    // The header's own version depends on the api key and version it starts with.
    int16_t key = r.read_int16();
    int16_t version = r.read_int16();
    if (!r.ok()) return decode_status::malformed;
    const msg::api_entry* api = msg::find_api(key);
    if (api == nullptr) return decode_status::unknown_api;

    codec::reader hr(data, size);
    if (!header.read(hr, msg::request_header_version(key, version)) || !hr.ok())
        return decode_status::malformed;
    if (!header.client_id) header.client_id = std::string();
    body = hr;
    if (version < api->min_version || version > api->max_version)
        return decode_status::unsupported_version;
    return decode_status::ok;
}

decode_status decode_request(const uint8_t* data, size_t size) {
    msg::request_header header;
    codec::reader body;
    decode_status st = decode_header(data, size, header, body);
    if (st != decode_status::ok) return st;
    bool ok = false;
    msg::visit_api(header.request_api_key, [&]<class Request, class Response>() {
        Request request;
        ok = request.read(body, header.request_api_version) && body.ok();
    });
    return ok ? decode_status::ok : decode_status::malformed;
}

}  // namespace eddy::broker
