// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Every generated message behind one set of plain functions, so the round-trip and
// truncation checks are written (and their doctest assertions compiled) once, not once per
// message type: the per-type part is only what must know the type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "codec_test/rng.h"

namespace eddy::codec_test {

// What write -> read -> write did to one randomly filled message.
struct roundtrip_outcome {
    std::vector<uint8_t> bytes;    // the first encoding
    size_t declared_size = 0;      // size(version) of the original
    bool read_ok = false;          // read() of `bytes` succeeded
    size_t left_unread = 0;        // bytes read() did not consume
    bool equal = false;            // the decoded message == the original
    std::vector<uint8_t> again;    // the decoded message written again
};

struct message_ops {
    std::string_view name;
    int16_t min_version;
    int16_t max_version;
    // Fills a message from `g` for `version` and round-trips it.
    roundtrip_outcome (*roundtrip)(rng& g, int16_t version);
    // The encoding of a message filled from `g` for `version`.
    std::vector<uint8_t> (*encode_random)(rng& g, int16_t version);
    // Whether `len` bytes at `data` decode as this message in `version`.
    bool (*decodes)(const uint8_t* data, size_t len, int16_t version);
};

// One entry per generated message schema.
const std::vector<message_ops>& every_message();

}  // namespace eddy::codec_test
