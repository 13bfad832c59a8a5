// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's text form of a uuid (Uuid.toString): url-safe base64 of the 16 bytes, no padding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eddy/codec/types.h"

namespace eddy::codec {

std::string to_string(const uuid& id);
// The inverse of to_string; nullopt unless `text` is 22 url-safe base64 characters.
std::optional<uuid> uuid_from_string(std::string_view text);
// Whether to_string(id) starts with '-', which a command line would take for an option;
// Kafka never hands out such an id.
bool text_starts_with_dash(const uuid& id);

}  // namespace eddy::codec
