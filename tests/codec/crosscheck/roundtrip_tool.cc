// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Decodes message bodies produced by other Kafka implementations and re-encodes them.
//
// Input, one vector per line on stdin:   SchemaName version hex
//   e.g. "MetadataRequest 4 00000001000374..."  (a message body, no request/response header)
// Output, one line per input line:       OK
//                                    or  FAIL <reason> <reencoded-hex>
// A vector passes only when the generated type consumes every input byte, writes
// exactly size(version) bytes, and those bytes equal the input. The caller
// (run_crosscheck.py) keeps the bookkeeping of what each line was.

#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"
#include "eddy/msg/all.h"
#include "eddy/msg/registry.h"

namespace {

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex == "-") return std::vector<uint8_t>{};  // an empty body (ApiVersionsRequest v0-2)
    if (hex.size() % 2 != 0) return std::nullopt;
    std::vector<uint8_t> out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out.empty() ? "-" : out;
}

// Returns "OK" or "FAIL <reason> <hex>" for one vector.
std::string check(std::string_view schema, int version, const std::vector<uint8_t>& input) {
    std::string verdict = "FAIL unknown-schema -";
    eddy::msg::visit_message(schema, [&]<class T>() {
        if (version < T::min_version || version > T::max_version) {
            verdict = "FAIL version-out-of-range -";
            return;
        }
        auto v = static_cast<int16_t>(version);
        T msg;
        eddy::codec::reader r(input.data(), input.size());
        if (!msg.read(r, v) || !r.ok()) {
            verdict = "FAIL decode-failed -";
            return;
        }
        size_t left = r.remaining();
        std::vector<uint8_t> out;
        eddy::codec::writer w(out);
        msg.write(w, v);
        if (left != 0) {
            verdict = "FAIL trailing-bytes:" + std::to_string(left) + " " + to_hex(out);
        } else if (msg.size(v) != out.size()) {
            verdict = "FAIL size-mismatch:" + std::to_string(msg.size(v)) + "!=" + std::to_string(out.size()) +
                      " " + to_hex(out);
        } else if (out != input) {
            verdict = "FAIL bytes-differ " + to_hex(out);
        } else {
            verdict = "OK";
        }
    });
    return verdict;
}

}  // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        std::string schema, hex;
        int version = -1;
        if (!(fields >> schema >> version >> hex)) {
            std::cout << "FAIL bad-line -\n";
            continue;
        }
        auto bytes = from_hex(hex);
        if (!bytes) {
            std::cout << "FAIL bad-hex -\n";
            continue;
        }
        std::cout << check(schema, version, *bytes) << '\n';
    }
    std::cout.flush();
    return 0;
}
