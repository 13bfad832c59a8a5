// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <string>

#include "common/log_text.h"

using eddy::log_text;

TEST_SUITE("common.log_text") {
    TEST_CASE("printable ASCII is shown as it is") {
        CHECK(log_text("rdkafka producer-1 (v2.0)") == "rdkafka producer-1 (v2.0)");
        CHECK(log_text("") == "");
    }

    TEST_CASE("a newline cannot start a line of its own") {
        const std::string shown = log_text("app\n[2026-11-25 00:00:00] [kafka] [info] forged");
        CHECK(shown.find('\n') == std::string::npos);
        CHECK(shown == "app\\x0a[2026-11-25 00:00:00] [kafka] [info] forged");
    }

    TEST_CASE("control bytes, DEL, bytes above ASCII and the backslash are escaped") {
        CHECK(log_text(std::string("a\0b", 3)) == "a\\x00b");
        CHECK(log_text("\x1b[31mred\r") == "\\x1b[31mred\\x0d");
        CHECK(log_text("\x7f") == "\\x7f");
        CHECK(log_text("caf\xc3\xa9") == "caf\\xc3\\xa9");
        CHECK(log_text("a\\x0ab") == "a\\x5cx0ab");  // not mistaken for an escaped newline
    }

    TEST_CASE("long text is cut at the limit with a count of what was left out") {
        const std::string id(32767, 'x');
        CHECK(log_text(id) == std::string(eddy::log_text_limit, 'x') + "... (32511 more bytes)");
        CHECK(log_text("abcdef", 3) == "abc... (3 more bytes)");
        CHECK(log_text("abc", 3) == "abc");
    }
}
