// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Parsing and validating config values the way Kafka's ConfigDef does, so that the same
// input is accepted or refused with the same message.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/ascii.h"
#include "controller/config_defs.h"

namespace eddy::controller {

namespace {

std::string_view trim(std::string_view s) {
    // Java's String.trim: strips every char <= ' '.
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
    return s;
}

std::string_view type_name(config_type type) {
    switch (type) {
        case config_type::boolean: return "BOOLEAN";
        case config_type::string: return "STRING";
        case config_type::int_: return "INT";
        case config_type::short_: return "SHORT";
        case config_type::long_: return "LONG";
        case config_type::double_: return "DOUBLE";
        case config_type::list: return "LIST";
        case config_type::class_: return "CLASS";
        case config_type::password: return "PASSWORD";
        case config_type::unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

// Integer.parseInt / Long.parseLong: an optional sign and decimal digits, in range.
template <class Int>
std::optional<Int> parse_integer(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty() || s.front() == '+') return std::nullopt;
    Int out{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return out;
}

std::optional<double> parse_double(std::string_view s) {
    // Java also accepts a trailing d/D/f/F type suffix.
    if (!s.empty() && std::string_view("dDfF").find(s.back()) != std::string_view::npos) {
        s.remove_suffix(1);
    }
    if (s.empty()) return std::nullopt;
    std::string copy(s);
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return d;
}

// Double.toString: plain notation in [1e-3, 1e7), else d.dddE[-]n; always a '.'.
std::string java_double(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    char buf[64];
    const double a = std::fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
        std::string s(buf, p);
        if (s.find('.') == std::string::npos) s += ".0";
        return s;
    }
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, p);  // e.g. "1e-04" or "1.5e+07"
    auto e = s.find('e');
    std::string mant = s.substr(0, e);
    if (mant.find('.') == std::string::npos) mant += ".0";
    int exp = std::atoi(s.c_str() + e + 1);
    return fmt::format("{}E{}", mant, exp);
}

// How ConfigDef.Range prints its bounds (the Integer/Long/Double it was built with).
std::string bound_text(double b) {
    if (b == std::floor(b) && std::fabs(b) < 1e15) return fmt::format("{}", static_cast<int64_t>(b));
    return java_double(b);
}

std::string invalid(const config_def& def, std::string_view value, std::string_view why) {
    return fmt::format("Invalid value {} for configuration {}: {}", value, def.name, why);
}

// Kafka's MetadataVersion values (as of 4.0-IV3), by their version strings.
constexpr std::array<std::string_view, 59> metadata_versions{
    "0.8.0",      "0.8.1",      "0.8.2",      "0.9.0",      "0.10.0-IV0", "0.10.0-IV1",
    "0.10.1-IV0", "0.10.1-IV1", "0.10.1-IV2", "0.10.2-IV0", "0.11.0-IV0", "0.11.0-IV1",
    "0.11.0-IV2", "1.0-IV0",    "1.1-IV0",    "2.0-IV0",    "2.0-IV1",    "2.1-IV0",
    "2.1-IV1",    "2.1-IV2",    "2.2-IV0",    "2.2-IV1",    "2.3-IV0",    "2.3-IV1",
    "2.4-IV0",    "2.4-IV1",    "2.5-IV0",    "2.6-IV0",    "2.7-IV0",    "2.7-IV1",
    "2.7-IV2",    "2.8-IV0",    "2.8-IV1",    "3.0-IV0",    "3.0-IV1",    "3.1-IV0",
    "3.2-IV0",    "3.3-IV0",    "3.3-IV1",    "3.3-IV2",    "3.3-IV3",    "3.4-IV0",
    "3.5-IV0",    "3.5-IV1",    "3.5-IV2",    "3.6-IV0",    "3.6-IV1",    "3.6-IV2",
    "3.7-IV0",    "3.7-IV1",    "3.7-IV2",    "3.7-IV3",    "3.7-IV4",    "3.8-IV0",
    "3.9-IV0",    "4.0-IV0",    "4.0-IV1",    "4.0-IV2",    "4.0-IV3"};

bool valid_version(std::string_view s) {
    // MetadataVersion.fromVersionString: the first three dot-separated parts of a "0.x"
    // version, the first two of any other, name a version ("3.0.1" is 3.0, "0.10.2.1"
    // 0.10.2), either exactly or as its release (the part before "-IV", which stands for
    // that release's last version). Every release up to 4.0 is a production one.
    const size_t parts = s.starts_with("0.") ? 3 : 2;
    std::string_view key = s;
    size_t dots = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '.' || ++dots < parts) continue;
        // Java's split drops trailing empty parts, so "3.0." is looked up whole.
        if (s.find_first_not_of('.', i) != std::string_view::npos) key = s.substr(0, i);
        break;
    }
    return std::any_of(metadata_versions.begin(), metadata_versions.end(), [key](std::string_view v) {
        return v == key || v.substr(0, v.find("-IV")) == key;
    });
}

bool is_replica_pair(std::string_view s) {
    if (s.empty()) return true;
    auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
    auto digits = [](std::string_view x) {
        return std::all_of(x.begin(), x.end(),
                           [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    return digits(s.substr(0, colon)) && digits(s.substr(colon + 1));
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::optional<std::string> check_range(const config_def& def, double n, const std::string& shown) {
    if (def.min && n < *def.min) {
        return invalid(def, shown, "Value must be at least " + bound_text(*def.min));
    }
    if (def.max && n > *def.max) {
        return invalid(def, shown, "Value must be no more than " + bound_text(*def.max));
    }
    return std::nullopt;
}

std::string choices_text(const config_def& def) {
    std::string out;
    for (size_t i = 0; i < def.choices.size(); ++i) {
        if (i) out += ", ";
        out += def.choices[i];
    }
    return out;
}

bool is_choice(const config_def& def, std::string_view s) {
    return std::find(def.choices.begin(), def.choices.end(), s) != def.choices.end();
}

}  // namespace

std::vector<std::string> split_list(std::string_view value) {
    // ConfigDef: an empty (trimmed) value is the empty list; otherwise split on
    // "\\s*,\\s*" keeping empty elements.
    std::vector<std::string> out;
    value = trim(value);
    if (value.empty()) return out;
    size_t start = 0;
    while (true) {
        size_t comma = value.find(',', start);
        std::string_view part =
            value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
        out.emplace_back(trim(part));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

parsed_value parse_config_value(const config_def& def, std::string_view raw) {
    const std::string_view s = trim(raw);
    const auto not_a_number = [&] {
        return parsed_value{std::nullopt,
                            invalid(def, raw, fmt::format("Not a number of type {}", type_name(def.type)))};
    };
    std::string shown;
    double numeric = 0;
    switch (def.type) {
        case config_type::boolean: {
            const std::string lower = ascii_lower(s);
            if (lower != "true" && lower != "false") {
                return {std::nullopt, invalid(def, raw, "Expected value to be either true or false")};
            }
            return {lower, {}};
        }
        case config_type::short_: {
            auto n = parse_integer<int16_t>(s);
            if (!n) return not_a_number();
            shown = std::to_string(*n);
            numeric = *n;
            break;
        }
        case config_type::int_: {
            auto n = parse_integer<int32_t>(s);
            if (!n) return not_a_number();
            shown = std::to_string(*n);
            numeric = *n;
            break;
        }
        case config_type::long_: {
            auto n = parse_integer<int64_t>(s);
            if (!n) return not_a_number();
            shown = std::to_string(*n);
            numeric = static_cast<double>(*n);
            break;
        }
        case config_type::double_: {
            auto d = parse_double(s);
            if (!d) return not_a_number();
            shown = java_double(*d);
            numeric = *d;
            break;
        }
        case config_type::list: {
            std::vector<std::string> parts = split_list(s);
            if (def.validator == validator_kind::list_of) {
                for (const auto& p : parts) {
                    if (!is_choice(def, p)) {
                        return {std::nullopt,
                                invalid(def, p, "String must be one of: " + choices_text(def))};
                    }
                }
            } else if (def.validator == validator_kind::throttled_list) {
                bool pairs = std::all_of(parts.begin(), parts.end(), is_replica_pair);
                if (!pairs && join(parts, "") != "*") {
                    return {std::nullopt,
                            invalid(def, "[" + join(parts, ", ") + "]",
                                    std::string(def.name) +
                                        " must be the literal '*' or a list of replicas in the "
                                        "following format: [partitionId]:[brokerId],[partitionId]:"
                                        "[brokerId],...")};
                }
            }
            return {join(parts, ","), {}};
        }
        case config_type::string:
        case config_type::class_:
        case config_type::password:
        case config_type::unknown: {
            if (def.validator == validator_kind::one_of && !is_choice(def, s)) {
                return {std::nullopt, invalid(def, s, "String must be one of: " + choices_text(def))};
            }
            if (def.validator == validator_kind::version && !valid_version(s)) {
                return {std::nullopt,
                        invalid(def, s, fmt::format("Version {} is not a valid version", s))};
            }
            return {std::string(s), {}};
        }
    }
    if (def.validator == validator_kind::range) {
        if (auto err = check_range(def, numeric, shown)) return {std::nullopt, *err};
    } else if (def.validator == validator_kind::gzip_level) {
        if (numeric > 9 || (numeric < 1 && numeric != -1)) {
            return {std::nullopt, invalid(def, shown, "Value must be between 1 and 9 or equal to -1")};
        }
    }
    return {shown, {}};
}

std::string convert_synonym_value(std::string_view value, unit_conversion conversion) {
    if (conversion == unit_conversion::none) return std::string(trim(value));
    auto n = parse_integer<int64_t>(trim(value));
    if (!n) return std::string(trim(value));
    const int64_t factor = conversion == unit_conversion::hours_to_ms ? 3600000 : 60000;
    return std::to_string(*n * factor);
}

}  // namespace eddy::controller
