// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "metadata/metadata_record.h"

#include <fmt/format.h>

#include <array>

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"

namespace eddy::metadata {

namespace {

// AbstractApiMessageSerde.DEFAULT_FRAME_VERSION. Frame version 0 was KRaft's 2.8
// preview and Kafka refuses it too.
constexpr uint32_t frame_version = 1;

// api key -> variant index, built once from the variant's alternatives so the two
// can never disagree.
constexpr size_t max_api_key = 64;
constexpr size_t no_index = SIZE_MAX;

template <size_t... I>
constexpr std::array<size_t, max_api_key> make_index(std::index_sequence<I...>) {
    std::array<size_t, max_api_key> table{};
    for (auto& e : table) e = no_index;
    ((table[std::variant_alternative_t<I, metadata_record>::api_key] = I), ...);
    return table;
}
constexpr auto index_by_api_key =
    make_index(std::make_index_sequence<std::variant_size_v<metadata_record>>{});

// Reads alternative `index` of the variant (the type whose api key the frame named).
template <size_t I = 0>
bool read_alternative(size_t index, codec::reader& r, int16_t version, metadata_record& out) {
    if constexpr (I < std::variant_size_v<metadata_record>) {
        if (index != I) return read_alternative<I + 1>(index, r, version, out);
        using T = std::variant_alternative_t<I, metadata_record>;
        if (version < T::min_version || version > T::max_version) return false;
        T rec;
        if (!rec.read(r, version) || !r.ok()) return false;
        out = std::move(rec);
        return true;
    } else {
        return false;
    }
}

}  // namespace

int16_t record_version_3_9(int16_t api_key) {
    switch (api_key) {
        case msg::register_broker_record::api_key:
            return 3;  // isDirectoryAssignmentSupported (3.7-IV2+): LogDirs
        case msg::partition_record::api_key:
        case msg::partition_change_record::api_key:
            return 1;  // directories; ELR (v2) only from 4.0-IV0
        case msg::broker_registration_change_record::api_key:
            return 2;
        default:
            return 0;
    }
}

int16_t api_key_of(const metadata_record& r) {
    return std::visit([](const auto& rec) { return std::decay_t<decltype(rec)>::api_key; }, r);
}

size_t metadata_record_size(const versioned_record& r) {
    const auto version = static_cast<uint16_t>(r.version);
    return codec::uvarint_size(frame_version) +
           codec::uvarint_size(static_cast<uint32_t>(api_key_of(r.record))) +
           codec::uvarint_size(version) +
           std::visit([&](const auto& rec) { return rec.size(r.version); }, r.record);
}

void encode_metadata_record(const versioned_record& r, std::vector<uint8_t>& out) {
    codec::writer w(out);
    w.write_uvarint(frame_version);
    w.write_uvarint(static_cast<uint32_t>(api_key_of(r.record)));
    w.write_uvarint(static_cast<uint16_t>(r.version));
    std::visit([&](const auto& rec) { rec.write(w, r.version); }, r.record);
}

std::vector<uint8_t> encode_metadata_record(const versioned_record& r) {
    std::vector<uint8_t> out;
    out.reserve(metadata_record_size(r));
    encode_metadata_record(r, out);
    return out;
}

std::vector<std::vector<uint8_t>> frame_records(std::span<const versioned_record> records) {
    std::vector<std::vector<uint8_t>> out;
    out.reserve(records.size());
    for (const auto& r : records) out.push_back(encode_metadata_record(r));
    return out;
}

decode_result decode_metadata_record(std::span<const uint8_t> frame) {
    codec::reader r(frame.data(), frame.size());
    const uint32_t fv = r.read_uvarint();
    const uint32_t key = r.read_uvarint();
    const uint32_t version = r.read_uvarint();
    if (!r.ok()) return {std::nullopt, "truncated metadata record frame header"};
    if (fv != frame_version) {
        return {std::nullopt, fmt::format("unknown metadata record frame version {} (only {} is "
                                          "supported)",
                                          fv, frame_version)};
    }
    // Kafka reads each header field as an unsigned varint that must fit a short.
    if (key > 0x7fff || version > 0x7fff) {
        return {std::nullopt, "metadata record api key or version too large"};
    }
    const size_t index = key < max_api_key ? index_by_api_key[key] : no_index;
    if (index == no_index) {
        return {std::nullopt, fmt::format("unknown metadata record type {}", key)};
    }
    versioned_record out{metadata_record{}, static_cast<int16_t>(version)};
    if (!read_alternative(index, r, out.version, out.record)) {
        return {std::nullopt,
                fmt::format("failed to decode metadata record type {} version {}", key, version)};
    }
    if (r.remaining() != 0) {
        return {std::nullopt, fmt::format("found {} byte(s) of garbage after metadata record "
                                          "type {}",
                                          r.remaining(), key)};
    }
    return {std::move(out), {}};
}

}  // namespace eddy::metadata
