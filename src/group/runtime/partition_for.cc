// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/runtime/partition_for.h"

#include <limits>

namespace eddy::group {
namespace {

constexpr uint32_t replacement = 0xFFFD;

// Decodes one code point at `i`, advancing it; a malformed sequence (bad lead byte,
// missing continuation, overlong form, surrogate or > U+10FFFF) yields U+FFFD for its
// first byte, as Java's decoder replaces each malformed input.
uint32_t next_code_point(std::string_view s, size_t& i) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t lead = byte(i);
    if (lead < 0x80) {
        ++i;
        return lead;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((lead & 0xE0) == 0xC0) {
        len = 2, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        len = 3, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        len = 4, cp = lead & 0x07, min = 0x10000;
    } else {
        ++i;
        return replacement;
    }
    if (i + len > s.size()) {
        ++i;
        return replacement;
    }
    for (size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return replacement;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return replacement;
    }
    i += len;
    return cp;
}

}  // namespace

int32_t java_string_hash(std::string_view utf8) {
    // h = 31 * h + c over UTF-16 code units, in 32-bit two's complement arithmetic.
    uint32_t h = 0;
    for (size_t i = 0; i < utf8.size();) {
        uint32_t cp = next_code_point(utf8, i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return static_cast<int32_t>(h);
}

int32_t partition_for(std::string_view group_id, int32_t partition_count) {
    int32_t h = java_string_hash(group_id);
    // Utils.abs: Integer.MIN_VALUE maps to 0, not to itself.
    int32_t abs = h == std::numeric_limits<int32_t>::min() ? 0 : (h < 0 ? -h : h);
    return abs % partition_count;
}

}  // namespace eddy::group
