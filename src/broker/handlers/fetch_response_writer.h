// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Encodes a Fetch response whose record sets stay in the segment files: the generated
// codec writes every field but the records, which become file slices for sendfile(2).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "broker/request_context.h"
#include "eddy/msg/fetch_response.h"
#include "log/log.h"

namespace eddy::broker {

// One run of bytes, then (optionally) a file range; a response is a list of them,
// written in order.
struct response_piece {
    std::vector<uint8_t> bytes;
    std::optional<log::file_slice> file;
};

struct sliced_response {
    std::vector<response_piece> pieces;
    uint64_t size() const;
    // Reads every slice into one buffer (TLS, tests).
    std::vector<uint8_t> flatten() const;
};

struct fetch_result {
    msg::fetch_response response;  // every partition's `records` left empty
    // Per partition, in the order of response.responses[*].partitions[*].
    std::vector<std::vector<log::file_slice>> records;
};

// Response header + body for `ctx` (correlation id, version). Each partition with
// slices is encoded by the generated code with empty records and no tagged fields,
// and its records length prefix is patched to the slices' total size.
sliced_response write_fetch_response(const request_context& ctx, const fetch_result& r);

}  // namespace eddy::broker
