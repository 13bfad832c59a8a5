// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "config/properties.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "config/config_error.h"

namespace eddy::config {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Splits text into logical lines: comment and blank lines dropped, continuation
// backslashes joined. Escapes other than the joining backslash stay in place for
// unescape(), because the key/value split must still see them.
std::vector<std::string> logical_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::string current;
    bool continuing = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view natural = text.substr(pos, end - pos);
        // \r\n counts as one terminator.
        pos = end;
        if (pos < text.size()) {
            pos += (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
        }

        size_t start = 0;
        while (start < natural.size() && is_blank(natural[start])) ++start;
        natural.remove_prefix(start);
        if (!continuing) {
            if (natural.empty()) continue;
            if (natural.front() == '#' || natural.front() == '!') continue;
        }
        size_t backslashes = 0;
        while (backslashes < natural.size() && natural[natural.size() - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 1) {
            current.append(natural.substr(0, natural.size() - 1));
            continuing = true;
            continue;
        }
        current.append(natural);
        lines.push_back(std::move(current));
        current.clear();
        continuing = false;
    }
    // A continuation on the last line of the file ends the logical line.
    if (continuing) lines.push_back(std::move(current));
    return lines;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c != '\\' || i + 1 == s.size()) {
            if (c != '\\') out.push_back(c);
            continue;
        }
        char e = s[++i];
        switch (e) {
            case 't': out.push_back('\t'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 'f': out.push_back('\f'); break;
            case 'u': {
                uint32_t cp = 0;
                for (int k = 0; k < 4; ++k) {
                    int v = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
                    if (v < 0) throw config_error("malformed \\uxxxx escape in properties");
                    cp = cp * 16 + static_cast<uint32_t>(v);
                    ++i;
                }
                append_utf8(out, cp);
                break;
            }
            default: out.push_back(e);
        }
    }
    return out;
}

}  // namespace

properties parse_properties(std::string_view text) {
    properties result;
    for (const std::string& line : logical_lines(text)) {
        // The key ends at the first unescaped '=', ':' or blank.
        size_t key_end = 0;
        bool escaped = false;
        for (; key_end < line.size(); ++key_end) {
            char c = line[key_end];
            if (escaped) {
                escaped = false;
                continue;
            }
            if (c == '\\') {
                escaped = true;
                continue;
            }
            if (c == '=' || c == ':' || is_blank(c)) break;
        }
        size_t value_start = key_end;
        while (value_start < line.size() && is_blank(line[value_start])) ++value_start;
        if (value_start < line.size() && (line[value_start] == '=' || line[value_start] == ':')) {
            ++value_start;
            while (value_start < line.size() && is_blank(line[value_start])) ++value_start;
        }
        std::string_view view(line);
        result[unescape(view.substr(0, key_end))] = unescape(view.substr(value_start));
    }
    return result;
}

properties load_properties_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("cannot read config file " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse_properties(buffer.str());
}

}  // namespace eddy::config
