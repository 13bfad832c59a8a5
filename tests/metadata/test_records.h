// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: uuids and records to build images from.
#pragma once

#include "metadata/metadata_image.h"
#include "metadata/metadata_record.h"

#include <optional>
#include <string>

namespace eddy::metadata::test {

// A distinct, recognisable uuid per n.
inline codec::uuid id_of(uint8_t n) {
    codec::uuid u;
    u.bytes[0] = 0x10;
    u.bytes[15] = n;
    return u;
}

inline msg::config_record config(resource_type type, std::string resource, std::string name,
                                 std::optional<std::string> value) {
    msg::config_record c;
    c.resource_type = static_cast<int8_t>(type);
    c.resource_name = std::move(resource);
    c.name = std::move(name);
    c.value = std::move(value);
    return c;
}

}  // namespace eddy::metadata::test
