// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "config/config_error.h"
#include "config/properties.h"

using eddy::config::parse_properties;

TEST_SUITE("config.properties") {
    TEST_CASE("key=value lines are read and comments skipped") {
        auto p = parse_properties("# a comment\n! another\n\nnode.id=3\n  listeners = PLAINTEXT://:9092\n");
        CHECK(p.size() == 2);
        CHECK(p.at("node.id") == "3");
        CHECK(p.at("listeners") == "PLAINTEXT://:9092");
    }

    TEST_CASE("colon and whitespace separate keys from values as in java.util.Properties") {
        auto p = parse_properties("a:1\nb 2\nc\t=\t3\nd = = 4\ne\n");
        CHECK(p.at("a") == "1");
        CHECK(p.at("b") == "2");
        CHECK(p.at("c") == "3");
        CHECK(p.at("d") == "= 4");
        CHECK(p.at("e").empty());
    }

    TEST_CASE("a trailing backslash continues the line and the next line's indent is dropped") {
        auto p = parse_properties("log.dirs=/a,\\\n    /b,\\\r\n\t/c\nx=1\n");
        CHECK(p.at("log.dirs") == "/a,/b,/c");
        CHECK(p.at("x") == "1");
    }

    TEST_CASE("an even number of trailing backslashes is an escaped backslash, not a continuation") {
        auto p = parse_properties("path=C:\\\\\nnext=1\n");
        CHECK(p.at("path") == "C:\\");
        CHECK(p.at("next") == "1");
    }

    TEST_CASE("escapes in keys and values are decoded") {
        auto p = parse_properties("my\\ key\\=x=tab\\there\\nnl \\u0041\\u00e9 \\q\n");
        CHECK(p.at("my key=x") == "tab\there\nnl A\xc3\xa9 q");
    }

    TEST_CASE("a continued line starting with # is data, not a comment") {
        auto p = parse_properties("a=1\\\n#2\n");
        CHECK(p.at("a") == "1#2");
    }

    TEST_CASE("a comment line ending in a backslash does not swallow the next line") {
        auto p = parse_properties("# comment \\\nkey=v\n");
        CHECK(p.at("key") == "v");
    }

    TEST_CASE("the last value of a repeated key wins") {
        auto p = parse_properties("k=1\nk=2\n");
        CHECK(p.at("k") == "2");
    }

    TEST_CASE("CR-only line ends and a final line without newline are accepted") {
        auto p = parse_properties("a=1\rb=2");
        CHECK(p.at("a") == "1");
        CHECK(p.at("b") == "2");
    }

    TEST_CASE("a malformed \\u escape is rejected") {
        CHECK_THROWS_AS(parse_properties("a=\\u12g4\n"), eddy::config::config_error);
        CHECK_THROWS_AS(parse_properties("a=\\u12"), eddy::config::config_error);
    }
}
