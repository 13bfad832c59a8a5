// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Bounded reader over a received byte range; the decoding half of the codec runtime.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::codec {

// Reads Kafka's primitive types from [data, data + size). It never reads past the
// end and never throws: the first malformed or truncated value sets a sticky
// failure flag, every later read returns a zero value, and the caller checks ok()
// once at the end. Every length read from the input is checked against the bytes
// that remain before anything is allocated, so a lying length cannot make the
// decoder allocate more than the frame it was given.
// Lives on: whichever thread decodes; not shared.
class reader {
public:
    reader() = default;
    reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

    bool ok() const { return ok_; }
    void fail() {
        ok_ = false;
        p_ = end_;
    }
    size_t remaining() const { return static_cast<size_t>(end_ - p_); }
    const uint8_t* position() const { return p_; }

    int8_t read_int8() { return static_cast<int8_t>(fixed<uint8_t>()); }
    bool read_bool() { return fixed<uint8_t>() != 0; }
    int16_t read_int16() { return static_cast<int16_t>(fixed<uint16_t>()); }
    uint16_t read_uint16() { return fixed<uint16_t>(); }
    int32_t read_int32() { return static_cast<int32_t>(fixed<uint32_t>()); }
    uint32_t read_uint32() { return fixed<uint32_t>(); }
    int64_t read_int64() { return static_cast<int64_t>(fixed<uint64_t>()); }
    double read_float64() {
        uint64_t bits = fixed<uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    uuid read_uuid() {
        uuid u;
        if (take(16)) std::memcpy(u.bytes.data(), p_ - 16, 16);
        return u;
    }

    // Unsigned varint of at most 5 bytes (Kafka's ByteUtils.readUnsignedVarint).
    uint32_t read_uvarint();
    // Zig-zag varint and varlong, as in record headers.
    int32_t read_varint() {
        uint32_t v = read_uvarint();
        return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    int64_t read_varlong();

    // Lengths. Each returns -1 for null and fails on a negative length other than -1,
    // or a length larger than what remains.
    // Strings: int16 length, or compact (uvarint length + 1) when flexible.
    int32_t read_string_length(bool flexible);
    // Bytes and records: int32 length, or compact when flexible.
    int32_t read_bytes_length(bool flexible);
    // Array element count: int32, or compact when flexible. Kafka bounds a count by the
    // remaining bytes, since every element takes at least one; so do we.
    int32_t read_array_length(bool flexible);

    // Read a string of the given (already validated) length.
    std::string read_raw_string(int32_t len) {
        if (len <= 0 || !take(static_cast<size_t>(len))) return {};
        return std::string(reinterpret_cast<const char*>(p_ - len), static_cast<size_t>(len));
    }
    std::vector<uint8_t> read_raw_bytes(int32_t len) {
        if (len <= 0 || !take(static_cast<size_t>(len))) return {};
        return std::vector<uint8_t>(p_ - len, p_);
    }
    bytes_view read_raw_view(int32_t len) {
        if (len < 0) return bytes_view{nullptr, 0, true};
        if (!take(static_cast<size_t>(len))) return {};
        return bytes_view{p_ - len, static_cast<size_t>(len), false};
    }

    // Whole values, for the generated code.
    std::string read_string(bool flexible) {
        int32_t len = read_string_length(flexible);
        if (len < 0) fail();  // null where the schema does not allow it
        return read_raw_string(len);
    }
    std::optional<std::string> read_nullable_string(bool flexible) {
        int32_t len = read_string_length(flexible);
        if (len < 0) return std::nullopt;
        return read_raw_string(len);
    }
    std::vector<uint8_t> read_bytes(bool flexible) {
        int32_t len = read_bytes_length(flexible);
        if (len < 0) fail();
        return read_raw_bytes(len);
    }
    std::optional<std::vector<uint8_t>> read_nullable_bytes(bool flexible) {
        int32_t len = read_bytes_length(flexible);
        if (len < 0) return std::nullopt;
        return read_raw_bytes(len);
    }
    bytes_view read_records(bool flexible) { return read_raw_view(read_bytes_length(flexible)); }

    // Carve the next n bytes off as a reader of their own (a tagged field's value).
    reader sub(size_t n) {
        if (!take(n)) return reader{};
        reader r(p_ - n, n);
        return r;
    }
    void skip(size_t n) { take(n); }

private:
    bool take(size_t n) {
        if (!ok_ || remaining() < n) {
            fail();
            return false;
        }
        p_ += n;
        return true;
    }
    template <class T>
    T fixed() {
        if (!take(sizeof(T))) return 0;
        const uint8_t* b = p_ - sizeof(T);
        T v = 0;
        for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | b[i]);
        return v;
    }

    const uint8_t* p_ = nullptr;
    const uint8_t* end_ = nullptr;
    bool ok_ = true;
};

}  // namespace eddy::codec
