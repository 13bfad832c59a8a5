// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <vector>

#include "broker/handlers/repeated_partitions.h"

using eddy::broker::find_repeated_partitions;
using eddy::broker::partition_key;

TEST_CASE("no partition named twice: nothing to merge") {
    const std::vector<partition_key> mentions{{"a", 0}, {"a", 1}, {"b", 0}};
    CHECK(find_repeated_partitions(mentions).none());
    CHECK(find_repeated_partitions({}).none());
}

TEST_CASE("each mention points at the first and the last mention of its partition") {
    const std::vector<partition_key> mentions{{"b", 1}, {"a", 0}, {"b", 1}, {"c", 2}, {"a", 0}, {"b", 1}};
    auto r = find_repeated_partitions(mentions);
    REQUIRE_FALSE(r.none());
    CHECK(r.first == std::vector<size_t>{0, 1, 0, 3, 1, 0});
    CHECK(r.last == std::vector<size_t>{5, 4, 5, 3, 4, 5});
}
