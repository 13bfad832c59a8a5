// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Pure, I/O-free decoding of one frame body (request header + request), for the
// router and for fuzzing. Never throws, never allocates more than the frame holds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "eddy/codec/reader.h"
#include "eddy/msg/request_header.h"

namespace eddy::broker {

enum class decode_status {
    ok,
    unknown_api,          // api key Kafka 3.9 does not define
    unsupported_version,  // outside the schema's validVersions
    malformed,            // truncated or invalid bytes
};

const char* to_string(decode_status s);

// Decodes the request header. On ok or unsupported_version, `header` is filled and
// `body` is positioned at the request body (for unsupported_version of ApiVersions
// the router still answers). The header version comes from the api key and version.
decode_status decode_header(const uint8_t* data, size_t size, msg::request_header& header,
                            codec::reader& body);

// Decodes header and body for any api key through the generated registry and
// discards the result. Bytes after the body are tolerated, as Kafka does.
decode_status decode_request(const uint8_t* data, size_t size);

}  // namespace eddy::broker
