// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Value types shared by every generated message: uuid, byte views, raw tagged fields.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace eddy::codec {

// Kafka's 128-bit uuid (topic ids, directory ids, member ids of KIP-848).
// The all-zero uuid is Kafka's Uuid.ZERO_UUID, meaning "none".
struct uuid {
    std::array<uint8_t, 16> bytes{};

    bool is_zero() const {
        return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
    }
    bool operator==(const uuid&) const = default;
};

// A view of bytes that live in a received frame (the `records` field type, so a
// produced batch is never copied during decoding). The owner of the frame keeps it
// alive for as long as the decoded message is used. Compared by content.
// `null` distinguishes Kafka's null (length -1) from an empty value.
struct bytes_view {
    const uint8_t* data = nullptr;
    size_t size = 0;
    bool null = false;

    bool operator==(const bytes_view& o) const {
        return null == o.null && size == o.size && (size == 0 || std::memcmp(data, o.data, size) == 0);
    }
};

// A tagged field the generated code does not know: kept on read and written back,
// so a broker never drops what a newer client sent.
struct raw_tagged_field {
    uint32_t tag = 0;
    std::vector<uint8_t> data;
    bool operator==(const raw_tagged_field&) const = default;
};
using unknown_tagged_fields = std::vector<raw_tagged_field>;

// What kind of schema a generated message came from.
enum class message_kind { request, response, header, data, metadata_record, coordinator_record };

}  // namespace eddy::codec
