// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Appending writer and size arithmetic; the encoding half of the codec runtime.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::codec {

// Appends Kafka's primitive types, big-endian, to a byte vector the caller owns.
// Encoding cannot fail: the generated code decides what to write, and sizes are
// computed beforehand by the matching size functions so callers can reserve once.
// Lives on: the thread that encodes; not shared.
class writer {
public:
    explicit writer(std::vector<uint8_t>& out) : out_(out) {}

    std::vector<uint8_t>& buffer() { return out_; }

    void write_int8(int8_t v) { out_.push_back(static_cast<uint8_t>(v)); }
    void write_bool(bool v) { out_.push_back(v ? 1 : 0); }
    void write_int16(int16_t v) { fixed(static_cast<uint16_t>(v)); }
    void write_uint16(uint16_t v) { fixed(v); }
    void write_int32(int32_t v) { fixed(static_cast<uint32_t>(v)); }
    void write_uint32(uint32_t v) { fixed(v); }
    void write_int64(int64_t v) { fixed(static_cast<uint64_t>(v)); }
    void write_float64(double d) {
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        fixed(bits);
    }
    void write_uuid(const uuid& u) { write_raw(u.bytes.data(), u.bytes.size()); }

    void write_uvarint(uint32_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<uint8_t>(v | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<uint8_t>(v));
    }
    void write_varint(int32_t v) {
        write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
    }
    void write_varlong(int64_t v) {
        uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
        while (z >= 0x80) {
            out_.push_back(static_cast<uint8_t>(z | 0x80));
            z >>= 7;
        }
        out_.push_back(static_cast<uint8_t>(z));
    }

    // Length prefixes; len -1 is null.
    void write_string_length(int32_t len, bool flexible) {
        if (flexible)
            write_uvarint(static_cast<uint32_t>(len + 1));
        else
            write_int16(static_cast<int16_t>(len));
    }
    void write_bytes_length(int32_t len, bool flexible) {
        if (flexible)
            write_uvarint(static_cast<uint32_t>(len + 1));
        else
            write_int32(len);
    }
    void write_array_length(int32_t len, bool flexible) { write_bytes_length(len, flexible); }

    void write_raw(const void* p, size_t n) {
        auto* b = static_cast<const uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }

    void write_string(std::string_view s, bool flexible) {
        write_string_length(static_cast<int32_t>(s.size()), flexible);
        write_raw(s.data(), s.size());
    }
    void write_nullable_string(const std::optional<std::string>& s, bool flexible) {
        if (!s) return write_string_length(-1, flexible);
        write_string(*s, flexible);
    }
    void write_bytes(const std::vector<uint8_t>& b, bool flexible) {
        write_bytes_length(static_cast<int32_t>(b.size()), flexible);
        write_raw(b.data(), b.size());
    }
    void write_nullable_bytes(const std::optional<std::vector<uint8_t>>& b, bool flexible) {
        if (!b) return write_bytes_length(-1, flexible);
        write_bytes(*b, flexible);
    }
    // A null where the version cannot carry one is written as empty, as Kafka's
    // generated code would refuse to; the broker never builds such a message.
    void write_string_or_empty(const std::optional<std::string>& s, bool flexible) {
        write_string(s ? std::string_view(*s) : std::string_view(), flexible);
    }
    void write_bytes_or_empty(const std::optional<std::vector<uint8_t>>& b, bool flexible) {
        if (!b) return write_bytes_length(0, flexible);
        write_bytes(*b, flexible);
    }
    void write_records(const bytes_view& v, bool flexible, bool nullable = true) {
        if (v.null) return write_bytes_length(nullable ? -1 : 0, flexible);
        write_bytes_length(static_cast<int32_t>(v.size), flexible);
        write_raw(v.data, v.size);
    }
    void write_tagged_field(const raw_tagged_field& f) {
        write_uvarint(f.tag);
        write_uvarint(static_cast<uint32_t>(f.data.size()));
        write_raw(f.data.data(), f.data.size());
    }

private:
    template <class T>
    void fixed(T v) {
        uint8_t b[sizeof(T)];
        for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
        out_.insert(out_.end(), b, b + sizeof(T));
    }

    std::vector<uint8_t>& out_;
};

// Encoded sizes, matching writer byte for byte.
constexpr size_t uvarint_size(uint32_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
constexpr size_t varint_size(int32_t v) {
    return uvarint_size((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}
constexpr size_t varlong_size(int64_t v) {
    uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        ++n;
    }
    return n;
}
constexpr size_t string_length_size(int32_t len, bool flexible) {
    return flexible ? uvarint_size(static_cast<uint32_t>(len + 1)) : 2;
}
constexpr size_t bytes_length_size(int32_t len, bool flexible) {
    return flexible ? uvarint_size(static_cast<uint32_t>(len + 1)) : 4;
}
inline size_t string_size(std::string_view s, bool flexible) {
    return string_length_size(static_cast<int32_t>(s.size()), flexible) + s.size();
}
inline size_t nullable_string_size(const std::optional<std::string>& s, bool flexible) {
    return s ? string_size(*s, flexible) : string_length_size(-1, flexible);
}
inline size_t bytes_size(const std::vector<uint8_t>& b, bool flexible) {
    return bytes_length_size(static_cast<int32_t>(b.size()), flexible) + b.size();
}
inline size_t nullable_bytes_size(const std::optional<std::vector<uint8_t>>& b, bool flexible) {
    return b ? bytes_size(*b, flexible) : bytes_length_size(-1, flexible);
}
inline size_t string_or_empty_size(const std::optional<std::string>& s, bool flexible) {
    return s ? string_size(*s, flexible) : string_length_size(0, flexible);
}
inline size_t bytes_or_empty_size(const std::optional<std::vector<uint8_t>>& b, bool flexible) {
    return b ? bytes_size(*b, flexible) : bytes_length_size(0, flexible);
}
inline size_t records_size(const bytes_view& v, bool flexible, bool nullable = true) {
    return v.null ? bytes_length_size(nullable ? -1 : 0, flexible)
                  : bytes_length_size(static_cast<int32_t>(v.size), flexible) + v.size;
}
inline size_t tagged_field_size(const raw_tagged_field& f) {
    return uvarint_size(f.tag) + uvarint_size(static_cast<uint32_t>(f.data.size())) + f.data.size();
}

}  // namespace eddy::codec
