// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reader for the java.util.Properties text format that Kafka's server.properties uses.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace eddy::config {

// key -> value; a key given twice keeps its last value, as Properties.load does.
using properties = std::map<std::string, std::string, std::less<>>;

// Parses `text` the way java.util.Properties.load(Reader) does: `#`/`!` comment
// lines, `key=value`, `key:value` or `key value`, backslash line continuation
// (leading blanks of the next line dropped), escapes \t \n \r \f \uXXXX and \x -> x.
// Throws config_error on a malformed \u escape (Java throws too).
properties parse_properties(std::string_view text);

// Reads and parses a file; throws config_error when it cannot be read.
properties load_properties_file(const std::string& path);

}  // namespace eddy::config
