// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/quorum_state.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <map>

#include "log/errc.h"

namespace eddy::raft {
namespace {

// A JSON value of the small subset the file uses: objects, arrays, integers, strings,
// booleans and null. Kept private: it is not a general JSON library.
struct json_value {
    enum class kind { null, boolean, number, string, array, object } type = kind::null;
    int64_t number = 0;
    std::string text;
    std::vector<json_value> items;
    std::map<std::string, json_value, std::less<>> fields;
};

class json_parser {
public:
    explicit json_parser(std::string_view s) : s_(s) {}

    bool parse(json_value& out) {
        if (!value(out, 0)) return false;
        skip_space();
        return pos_ == s_.size();
    }

private:
    // Nesting is bounded so that a hostile file cannot exhaust the stack.
    static constexpr int max_depth = 16;

    void skip_space() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    bool eat(char c) {
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }
    bool string(std::string& out) {
        if (!eat('"')) return false;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            char c = s_[pos_++];
            if (c == '\\') {
                if (pos_ >= s_.size()) return false;
                char e = s_[pos_++];
                // Kafka's values never need \u escapes (ids are url-safe base64).
                if (e != '"' && e != '\\' && e != '/') return false;
                c = e;
            }
            out.push_back(c);
        }
        return eat('"');
    }
    bool value(json_value& out, int depth) {
        if (depth > max_depth) return false;
        skip_space();
        if (pos_ >= s_.size()) return false;
        char c = s_[pos_];
        if (c == '{') {
            ++pos_;
            out.type = json_value::kind::object;
            if (eat('}')) return true;
            do {
                std::string key;
                json_value v;
                if (!string(key) || !eat(':') || !value(v, depth + 1)) return false;
                out.fields[key] = std::move(v);
            } while (eat(','));
            return eat('}');
        }
        if (c == '[') {
            ++pos_;
            out.type = json_value::kind::array;
            if (eat(']')) return true;
            do {
                json_value v;
                if (!value(v, depth + 1)) return false;
                out.items.push_back(std::move(v));
            } while (eat(','));
            return eat(']');
        }
        if (c == '"') {
            out.type = json_value::kind::string;
            return string(out.text);
        }
        if (literal("true") || literal("false")) {
            out.type = json_value::kind::boolean;
            return true;
        }
        if (literal("null")) return true;
        const char* begin = s_.data() + pos_;
        auto [ptr, ec] = std::from_chars(begin, s_.data() + s_.size(), out.number);
        if (ec != std::errc() || ptr == begin) return false;
        pos_ += static_cast<size_t>(ptr - begin);
        out.type = json_value::kind::number;
        return true;
    }

    std::string_view s_;
    size_t pos_ = 0;
};

bool int_field(const json_value& obj, std::string_view name, int32_t& out, std::string& error) {
    auto it = obj.fields.find(name);
    if (it == obj.fields.end()) return true;  // absent: Kafka's default
    if (it->second.type != json_value::kind::number || it->second.number < INT32_MIN ||
        it->second.number > INT32_MAX) {
        error = fmt::format("{} is not a 32-bit integer", name);
        return false;
    }
    out = static_cast<int32_t>(it->second.number);
    return true;
}

}  // namespace

std::string to_json(const election_state& s) {
    std::string voters;
    for (size_t i = 0; i < s.voters.size(); ++i)
        voters += fmt::format("{}{{\"voterId\":{}}}", i ? "," : "", s.voters[i]);
    return fmt::format(
        "{{\"clusterId\":\"\",\"leaderId\":{},\"leaderEpoch\":{},\"votedId\":{},"
        "\"appliedOffset\":0,\"currentVoters\":[{}],\"data_version\":0}}",
        s.leader_id, s.leader_epoch, s.voted_id, voters);
}

std::optional<election_state> parse_quorum_state(std::string_view json, std::string& error) {
    // Kafka reads only the first line.
    json = json.substr(0, json.find('\n'));
    json_value root;
    if (!json_parser(json).parse(root) || root.type != json_value::kind::object) {
        error = "not a JSON object";
        return std::nullopt;
    }
    auto version = root.fields.find("data_version");
    if (version == root.fields.end()) {
        error = "no data_version field";
        return std::nullopt;
    }
    if (version->second.type != json_value::kind::number || version->second.number < 0 ||
        version->second.number > 1) {
        error = "data_version is not within 0 and 1";
        return std::nullopt;
    }
    election_state s;
    if (!int_field(root, "leaderId", s.leader_id, error) ||
        !int_field(root, "leaderEpoch", s.leader_epoch, error) ||
        !int_field(root, "votedId", s.voted_id, error)) {
        return std::nullopt;
    }
    if (auto v = root.fields.find("currentVoters"); v != root.fields.end()) {
        if (v->second.type == json_value::kind::array) {
            for (const json_value& item : v->second.items) {
                int32_t id = -1;
                if (item.type != json_value::kind::object || !int_field(item, "voterId", id, error))
                    return std::nullopt;
                s.voters.push_back(id);
            }
        } else if (v->second.type != json_value::kind::null) {
            error = "currentVoters is not an array";
            return std::nullopt;
        }
    }
    return s;
}

log::result<std::optional<election_state>> read_quorum_state(log::filesystem& fs,
                                                             const std::string& partition_dir) {
    const std::string path = log::join_path(partition_dir, std::string(quorum_state_file_name));
    if (!fs.exists(path)) return std::optional<election_state>{};
    auto bytes = log::read_whole_file(fs, path);
    if (!bytes) return bytes.error();
    std::string error;
    auto s = parse_quorum_state(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), error);
    if (!s) return log::errc::corrupt_checkpoint;
    return std::optional<election_state>(std::move(*s));
}

std::error_code write_quorum_state(log::filesystem& fs, const std::string& partition_dir,
                                   const election_state& s) {
    const std::string text = to_json(s);
    return log::write_file_atomically(
        fs, partition_dir, std::string(quorum_state_file_name),
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace eddy::raft
