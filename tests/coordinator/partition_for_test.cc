// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "group/runtime/partition_for.h"

using namespace eddy::group;

TEST_SUITE("coordinator.partition_for") {
    // Expected values follow String.hashCode by hand: h = 31 * h + c over UTF-16 units.
    TEST_CASE("the hash is Java's String.hashCode") {
        CHECK(java_string_hash("") == 0);
        CHECK(java_string_hash("a") == 97);
        CHECK(java_string_hash("ab") == 97 * 31 + 98);
        CHECK(java_string_hash("hello") == 99162322);
        CHECK(java_string_hash("my-group") == -1906497762);  // wraps around 32 bits
    }

    TEST_CASE("characters outside the BMP count as two UTF-16 surrogates") {
        // U+1F600 is D83D DE00 in UTF-16.
        CHECK(java_string_hash("\xF0\x9F\x98\x80") == 0xD83D * 31 + 0xDE00);
        CHECK(java_string_hash("group\xC3\xA9") == -1237460406);  // "groupé"
    }

    TEST_CASE("a group maps to abs(hash) mod the partition count") {
        CHECK(partition_for("", 50) == 0);
        CHECK(partition_for("a", 50) == 47);
        CHECK(partition_for("my-group", 50) == 1906497762 % 50);
        CHECK(partition_for("console-consumer-12345", 50) == 6);
    }

    TEST_CASE("a hash of Integer.MIN_VALUE maps to partition 0, as Utils.abs does") {
        CHECK(java_string_hash("polygenelubricants") == INT32_MIN);
        CHECK(partition_for("polygenelubricants", 7) == 0);
    }
}
