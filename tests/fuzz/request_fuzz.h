// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The body of the request fuzzer, shared by the libFuzzer target and the corpus replay test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eddy::fuzz {

// Treats [data, data + size) as bytes arriving on a client connection: splits them into
// frames with net::check_frame, runs broker::decode_request on each frame body, and
// decodes the same body with the generated codec: request header and request for its
// api key and version, and the same bytes as that api's response. Every message that
// decodes is encoded again and decoded once more. It aborts the process, naming the
// message type and version, when the two decodings differ, when size() disagrees with
// what write() produced, or when the broker's decoder classifies the frame differently
// (ok, unknown api, unsupported version, malformed) from the codec.
void fuzz_request_stream(const uint8_t* data, size_t size);

}  // namespace eddy::fuzz
