// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "common/log_text.h"

#include <fmt/format.h>

#include <iterator>

namespace eddy {

std::string log_text(std::string_view text, size_t limit) {
    const std::string_view shown = text.substr(0, limit);
    std::string out;
    out.reserve(shown.size());
    for (const char ch : shown) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte >= 0x20 && byte < 0x7F && ch != '\\') out.push_back(ch);
        else fmt::format_to(std::back_inserter(out), "\\x{:02x}", byte);
    }
    if (text.size() > shown.size())
        fmt::format_to(std::back_inserter(out), "... ({} more bytes)", text.size() - shown.size());
    return out;
}

}  // namespace eddy
